// Reads a JSON request body safely: content type first (415), then the size limit from
// Content-Length and from the bytes actually read (413), all before JSON.parse (400).
import { ApiError, badRequest } from "./errors.ts";

export const MAX_BODY_BYTES = 1024 * 1024;

const tooLarge = (limit: number) => new ApiError(413, "payload_too_large", `request body must be at most ${limit} bytes`);

export async function readJsonBody(req: Request, limit = MAX_BODY_BYTES): Promise<unknown> {
  const type = req.headers.get("content-type") ?? "";
  if (!/^application\/json\s*(;|$)/i.test(type.trim())) {
    throw new ApiError(415, "unsupported_media_type", "content-type must be application/json");
  }
  const declared = req.headers.get("content-length");
  if (declared !== null && Number(declared) > limit) throw tooLarge(limit);
  if (!req.body) throw badRequest("invalid_json", "request body is empty");
  const bytes = declared !== null ? new Uint8Array(await req.arrayBuffer()) : await readCapped(req.body, limit);
  // HTTP framing bounds a body with a declared length; check the bytes actually read all the same.
  if (bytes.byteLength > limit) throw tooLarge(limit);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw badRequest("invalid_json", "request body is not valid UTF-8");
  }
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest("invalid_json", "request body is not valid JSON");
  }
}

/** Reads a body of unknown length, refusing it as soon as it passes the limit. */
async function readCapped(body: ReadableStream<Uint8Array>, limit: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    bytes.set(c, offset);
    offset += c.byteLength;
  }
  return bytes;
}

// Reads a JSON request body safely: content type first (415), then the size limit from
// Content-Length and from the bytes actually read (413), all before JSON.parse (400). The whole
// body must arrive within a deadline (408, BODY_READ_TIMEOUT_MS): a client that stalls mid-body
// would otherwise hold the request for as long as it likes.
import { ApiError, badRequest } from "./errors.ts";
import { env } from "./env.ts";
import { joinChunks } from "./bytes.ts";

const MAX_BODY_BYTES = 1024 * 1024;
/** Time allowed for reading a whole body: a 1 MB body at 100 kB/s still fits. */
export const DEFAULT_BODY_READ_TIMEOUT_MS = 10_000;

const tooLarge = (limit: number) => new ApiError(413, "payload_too_large", `request body must be at most ${limit} bytes`);

/** BODY_READ_TIMEOUT_MS when it is a positive integer, else the default. */
function bodyReadTimeoutMs(): number {
  const n = Number(env("BODY_READ_TIMEOUT_MS"));
  return Number.isInteger(n) && n > 0 ? n : DEFAULT_BODY_READ_TIMEOUT_MS;
}

export async function readJsonBody(req: Request, limit = MAX_BODY_BYTES): Promise<unknown> {
  const type = req.headers.get("content-type") ?? "";
  if (!/^application\/json\s*(;|$)/i.test(type.trim())) {
    throw new ApiError(415, "unsupported_media_type", "content-type must be application/json");
  }
  const declared = req.headers.get("content-length");
  if (declared !== null && Number(declared) > limit) throw tooLarge(limit);
  if (!req.body) throw badRequest("invalid_json", "request body is empty");
  const deadline = startDeadline(bodyReadTimeoutMs());
  let bytes: Uint8Array;
  try {
    bytes = declared !== null
      ? new Uint8Array(await Promise.race([settledLater(req.arrayBuffer()), deadline.expired]))
      : await readCapped(req.body, limit, deadline.expired);
  } finally {
    deadline.clear();
  }
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

/** A promise that rejects with a 408 after `ms` unless cleared first. The 408 asks the client to
 * close the connection, whose framing is unknown once a body is abandoned. */
function startDeadline(ms: number): { expired: Promise<never>; clear: () => void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ApiError(408, "request_timeout",
      `request body was not received within ${ms} ms`, undefined, { connection: "close" })), ms);
  });
  expired.catch(() => {}); // observed by the race; never unhandled when the body wins
  return { expired, clear: () => clearTimeout(timer) };
}

/** `read` itself, with its late failure (the client leaving after the deadline) observed. */
function settledLater<T>(read: Promise<T>): Promise<T> {
  read.catch(() => {});
  return read;
}

/** Reads a body of unknown length, refusing it as soon as it passes the limit or the deadline
 * expires; either way the stream is cancelled, so the server stops passing on the rest. */
async function readCapped(body: ReadableStream<Uint8Array>, limit: number, expired: Promise<never>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await Promise.race([reader.read(), expired]);
      if (done) break;
      size += value.byteLength;
      if (size > limit) throw tooLarge(limit);
      chunks.push(value);
    }
  } catch (err) {
    reader.cancel().catch(() => {});
    throw err;
  }
  return joinChunks(chunks, size);
}

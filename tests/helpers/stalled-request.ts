// A request to the ingest function whose body stops arriving: the head and the first bytes of the
// body go over a raw TCP socket, then nothing. Shared by the body-deadline and quota tests.
import net from "node:net";
import { LOCAL_FUNCTIONS_URL, LOCAL_SECRET_KEY } from "../../stack/local-settings.ts";

export const INGEST_URL = new URL(`${LOCAL_FUNCTIONS_URL}/ingest`);

export type Exchange = { socket: net.Socket; received: () => string; closed: Promise<number>; startedAt: number };

/** Sends a request head and `part` of its body (declared 5,000 bytes, or chunked), then stalls. */
export function stalledRequest(framing: "content-length" | "chunked", part: string, token = LOCAL_SECRET_KEY): Exchange {
  const head = [
    `POST ${INGEST_URL.pathname} HTTP/1.1`, `host: ${INGEST_URL.host}`, `authorization: Bearer ${token}`,
    "content-type: application/json",
    framing === "chunked" ? "transfer-encoding: chunked" : "content-length: 5000",
  ].join("\r\n") + "\r\n\r\n";
  const body = framing === "chunked" ? `${part.length.toString(16)}\r\n${part}\r\n` : part;
  const socket = net.connect(Number(INGEST_URL.port), INGEST_URL.hostname);
  let data = "";
  socket.on("data", (chunk) => (data += chunk.toString("latin1")));
  socket.on("error", () => {});
  const startedAt = Date.now();
  const closed = new Promise<number>((resolve) => socket.on("close", () => resolve(Date.now())));
  socket.write(head + body);
  return { socket, received: () => data, closed, startedAt };
}

/** Resolves with the response once its head and Content-Length body have arrived. */
export async function responseOf(x: Exchange, timeoutMs: number) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const text = x.received();
    const end = text.indexOf("\r\n\r\n");
    if (end >= 0) {
      const [statusLine, ...lines] = text.slice(0, end).split("\r\n");
      const headers = new Map(lines.map((l) => [l.slice(0, l.indexOf(":")).toLowerCase(), l.slice(l.indexOf(":") + 1).trim()]));
      const length = Number(headers.get("content-length"));
      const body = text.slice(end + 4);
      if (body.length >= length) return { statusLine, headers, body: JSON.parse(body.slice(0, length)), at: Date.now() };
    }
    if (Date.now() > until) throw new Error(`no complete response within ${timeoutMs} ms; got ${JSON.stringify(text)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

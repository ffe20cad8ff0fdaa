// A body that stops arriving: the client sends the headers and part of the body over a raw TCP
// socket, then nothing. The function answers 408 in the project's error format once the body
// deadline (BODY_READ_TIMEOUT_MS, default 10 s) has passed, asks the client to close, and never
// reads another request from that connection; other requests are served meanwhile.
import net from "node:net";
import { describe, expect, it } from "vitest";
import { LOCAL_FUNCTIONS_URL, LOCAL_SECRET_KEY } from "../../stack/local-settings.ts";
import { DEFAULT_BODY_READ_TIMEOUT_MS } from "../../supabase/functions/_shared/json-body.ts";
import { ingestTestContext, postIngest, sampleEvent } from "./events.ts";

const { REQ, USER } = ingestTestContext("body-deadline");
const url = new URL(`${LOCAL_FUNCTIONS_URL}/ingest`);

type Exchange = { socket: net.Socket; received: () => string; closed: Promise<number>; startedAt: number };

/** Sends a request head and the first bytes of its body, then stalls. */
function stalledRequest(framing: "content-length" | "chunked"): Exchange {
  const part = JSON.stringify({ events: [sampleEvent("order_created", REQ, USER)] }).slice(0, 40);
  const head = [
    `POST ${url.pathname} HTTP/1.1`, `host: ${url.host}`, `authorization: Bearer ${LOCAL_SECRET_KEY}`,
    "content-type: application/json",
    framing === "chunked" ? "transfer-encoding: chunked" : "content-length: 5000",
  ].join("\r\n") + "\r\n\r\n";
  const body = framing === "chunked" ? `${part.length.toString(16)}\r\n${part}\r\n` : part;
  const socket = net.connect(Number(url.port), url.hostname);
  let data = "";
  socket.on("data", (chunk) => (data += chunk.toString("latin1")));
  socket.on("error", () => {});
  const startedAt = Date.now();
  const closed = new Promise<number>((resolve) => socket.on("close", () => resolve(Date.now())));
  socket.write(head + body);
  return { socket, received: () => data, closed, startedAt };
}

/** Resolves with the response once its head and Content-Length body have arrived. */
async function responseOf(x: Exchange, timeoutMs: number) {
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

describe("ingest body deadline", () => {
  it("answers a stalled body with a 408 in the error format, and closes instead of reading on", async () => {
    const stalled = [stalledRequest("content-length"), stalledRequest("chunked")];
    // The stalled requests hold nothing the others need.
    expect((await postIngest({ events: [sampleEvent("order_created", REQ, USER)] })).status).toBe(200);

    for (const x of stalled) {
      const res = await responseOf(x, DEFAULT_BODY_READ_TIMEOUT_MS + 5000);
      expect(res.statusLine).toBe("HTTP/1.1 408 Request Timeout");
      expect(res.body).toEqual({ error: { code: "request_timeout", message: `request body was not received within ${DEFAULT_BODY_READ_TIMEOUT_MS} ms` } });
      expect(res.headers.get("content-type")).toContain("application/json");
      expect(res.headers.get("connection")).toBe("close");
      expect(res.headers.get("access-control-allow-origin")).toBe("*");
      const waited = res.at - x.startedAt;
      expect(waited).toBeGreaterThanOrEqual(DEFAULT_BODY_READ_TIMEOUT_MS - 100);
      expect(waited).toBeLessThan(DEFAULT_BODY_READ_TIMEOUT_MS + 3000);
    }

    // A client that sends more (the rest of its body, then a second request) gets no second answer:
    // the server ends the connection.
    const [x] = stalled;
    x.socket.write("x".repeat(4960) + `GET ${url.pathname} HTTP/1.1\r\nhost: ${url.host}\r\n\r\n`);
    const closedAt = await Promise.race([x.closed, new Promise<number>((r) => setTimeout(() => r(-1), 5000))]);
    expect(closedAt).toBeGreaterThan(0);
    expect(x.received().match(/HTTP\/1\.1 /g)).toHaveLength(1);
    for (const s of stalled) s.socket.destroy();
  });
});

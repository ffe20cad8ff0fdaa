// A body that stops arriving: the client sends the headers and part of the body over a raw TCP
// socket, then nothing. The function answers 408 in the project's error format once the body
// deadline (BODY_READ_TIMEOUT_MS, default 10 s) has passed, asks the client to close, and never
// reads another request from that connection; other requests are served meanwhile.
import { describe, expect, it } from "vitest";
import { DEFAULT_BODY_READ_TIMEOUT_MS } from "../../supabase/functions/_shared/json-body.ts";
import { INGEST_URL as url, responseOf, stalledRequest as stalledWith } from "../helpers/stalled-request.ts";
import { ingestTestContext, postIngest, sampleEvent } from "./events.ts";

const { REQ, USER } = ingestTestContext("body-deadline");

/** Sends a request head and the first bytes of a valid batch, then stalls. */
const stalledRequest = (framing: "content-length" | "chunked") =>
  stalledWith(framing, JSON.stringify({ events: [sampleEvent("order_created", REQ, USER)] }).slice(0, 40));

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

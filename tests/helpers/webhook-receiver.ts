// A real HTTP webhook receiver on 127.0.0.1 for alert tests: records every POST body and answers
// with the status the test sets (200 by default).
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export type WebhookReceiver = {
  url: string;
  received: unknown[];
  /** Every request gets this status from now on (and counts in `received` all the same). */
  answer(status: number): void;
  close(): Promise<void>;
};

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  let status = 200;
  const received: unknown[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      received.push(req.headers["content-type"] === "application/json" ? JSON.parse(text) : text);
      res.writeHead(status, { "content-type": "text/plain" }).end(status === 200 ? "ok" : "receiver error");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/test-alerts`,
    received,
    answer: (s) => { status = s; },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

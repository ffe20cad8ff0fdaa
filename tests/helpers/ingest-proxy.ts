// A real local HTTP server in front of the ingest function, for the emitters' tests: it records
// every request (status answered, time, body) and can answer some itself (a 503, a request that
// never gets an answer) instead of forwarding them to the function.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export type ProxiedRequest = { status: number | null; at: number; retryAfter: string | null; events: number };

/** Per request (1-based): answer with this status (JSON error body), "hang" (never answer), or "forward". */
export type ProxyPlan = (call: number) => { status: number; retryAfter?: string } | "hang" | "forward";

export async function ingestProxy(upstream: string, plan: ProxyPlan = () => "forward") {
  const requests: ProxiedRequest[] = [];
  const hanging = new Set<() => void>();
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const record: ProxiedRequest = { status: null, at: Date.now(), retryAfter: null, events: 0 };
    try {
      record.events = (JSON.parse(body.toString()) as { events: unknown[] }).events.length;
    } catch {
      // not a batch
    }
    requests.push(record);
    const step = plan(requests.length);
    if (step === "hang") {
      hanging.add(() => res.destroy());
      return;
    }
    if (step !== "forward") {
      record.status = step.status;
      record.retryAfter = step.retryAfter ?? null;
      res.writeHead(step.status, { "content-type": "application/json", ...(step.retryAfter ? { "retry-after": step.retryAfter } : {}) });
      return res.end(JSON.stringify({ error: { code: "try_later", message: "try later" } }));
    }
    const answer = await fetch(upstream, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: String(req.headers.authorization) },
      body,
    });
    record.status = answer.status;
    record.retryAfter = answer.headers.get("retry-after");
    res.writeHead(answer.status, { "content-type": "application/json", ...(record.retryAfter ? { "retry-after": record.retryAfter } : {}) });
    res.end(await answer.text());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/functions/v1/ingest`;
  return {
    url,
    requests,
    statuses: () => requests.map((r) => r.status),
    close: () => {
      for (const drop of hanging) drop();
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

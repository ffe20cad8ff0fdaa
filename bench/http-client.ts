// A lean HTTP/1.1 client for the load generator: node:http with keep-alive connections. The
// benchmark runs client and server on the same machine, and fetch (undici) cost the client
// 6-13 us of CPU per ingested event against 4-5 us here: CPU the server under test then lacks.
import http from "node:http";

/** One keep-alive connection (an agent with a single socket), used by one client at a time. */
export type Lane = { agent: http.Agent; pid: number };

const shared = new http.Agent({ keepAlive: true, maxSockets: 64 });
const opened: http.Agent[] = [shared];

function request(url: string, method: string, agent: http.Agent, body?: string | Uint8Array, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      method,
      agent,
      headers: body === undefined ? headers : { "content-type": "application/json", "content-length": Buffer.byteLength(body), ...headers },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** POSTs a JSON body (on `lane`'s connection, or a shared pool); resolves with the status and the response text.
 * A body given as bytes (UTF-8) goes out as it is, with no encoding on the client's clock. */
export function postJson(url: string, body: string | Uint8Array, headers: Record<string, string> = {}, lane?: Lane): Promise<{ status: number; text: string }> {
  return request(url, "POST", lane?.agent ?? shared, body, headers);
}

/**
 * `count` keep-alive connections spread evenly over the processes serving `functionsUrl`'s port.
 * The local stack's processes share the port (SO_REUSEPORT), and the kernel assigns each
 * connection to one by a hash of its address: 4 connections land all on one of 2 processes in 1 run
 * of 8 and 3:1 in half of them, which then leaves the other process (and a core) idle. A load
 * balancer in front of hosted functions spreads requests; here each connection asks the server's
 * /_health which process it reached and is kept only while that process has less than its share.
 */
export async function balancedLanes(functionsUrl: string, count: number, processes: number): Promise<Lane[]> {
  const health = new URL("/_health", functionsUrl).href;
  const share = Math.ceil(count / Math.max(1, processes));
  const perPid = new Map<number, number>();
  const lanes: Lane[] = [];
  for (let attempt = 0; lanes.length < count; attempt++) {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const res = await request(health, "GET", agent);
    const pid = Number((JSON.parse(res.text) as { pid?: number }).pid ?? 0);
    // After many tries (a server that does not report its pid, or fewer processes than expected) take any.
    if ((perPid.get(pid) ?? 0) < share || attempt >= 50 * count) {
      perPid.set(pid, (perPid.get(pid) ?? 0) + 1);
      lanes.push({ agent, pid });
      opened.push(agent);
    } else {
      agent.destroy();
    }
  }
  return lanes;
}

/** Closes the kept-alive connections (so the process can exit). */
export function closeConnections(): void {
  for (const agent of opened) agent.destroy();
  opened.length = 1;
}

import { readFileSync } from "node:fs";
import { execSync } from "node:child_process";
import { generateEvents } from "./bench/synthetic-events.ts";
import { LOCAL_FUNCTIONS_URL, LOCAL_SECRET_KEY } from "./stack/keys.ts";
const n = 100_000, B = Number(process.env.B ?? 500), C = Number(process.env.C ?? 4);
const events = generateEvents(n, { marker: "prof-http", seed: 7 });
const bodies: string[] = []; for (let i = 0; i < n; i += B) bodies.push(JSON.stringify({ events: events.slice(i, i + B) }));
const cpu = () => { const out: Record<string, number> = {}; for (const line of execSync("ps -eo comm,pid --no-headers").toString().trim().split("\n")) { const [comm, pid] = line.trim().split(/\s+/); try { const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" "); const t = (Number(f[11]) + Number(f[12])) / 100; const k = comm.startsWith("postgres") ? "postgres" : comm; out[k] = (out[k] ?? 0) + t; } catch {} } return out; };
const c0 = cpu(); const self0 = process.cpuUsage(); const t0 = performance.now();
let next = 0;
await Promise.all(Array.from({ length: C }, async () => { while (next < bodies.length) { const b = bodies[next++]; const r = await fetch(`${LOCAL_FUNCTIONS_URL}/ingest`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${LOCAL_SECRET_KEY}` }, body: b }); if (r.status !== 200) throw new Error(await r.text()); await r.text(); } }));
const wall = (performance.now() - t0) / 1000; const c1 = cpu(); const self = process.cpuUsage(self0);
console.log(`wall ${wall.toFixed(2)} s, ${(n / wall).toFixed(0)} ev/s`);
for (const k of Object.keys(c1)) { const d = c1[k] - (c0[k] ?? 0); if (d > 0.05) console.log(k.padEnd(12), d.toFixed(2), "cpu-s", (d / wall * 100).toFixed(0) + "%"); }
console.log("this client", ((self.user + self.system) / 1e6).toFixed(2), "cpu-s");

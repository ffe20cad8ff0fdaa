// A database restart or outage costs failed requests, never the functions process, and the
// functions recover by themselves within seconds of the database (docs/design.md §12): four ingest
// streams through crash restarts of the stack's Postgres (`pg_ctl restart -m immediate`), and
// requests of every kind during a longer outage. Postgres is running again after each test, even
// a failed one, and so is the functions server (the files after this one need both).
import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { mintRoleToken } from "../../stack/keys.ts";
import { LOCAL_SUPABASE_URL } from "../../stack/local-settings.ts";
import { connect } from "../helpers/db.ts";
import { callFunction } from "../helpers/functions.ts";
import {
  ensureFunctionsRunning,
  ensurePostgresRunning,
  functionsPid,
  processIsAlive,
  restartPostgresImmediately,
  startPostgres,
  stopPostgresImmediately,
} from "../helpers/stack-control.ts";
import { sampleEvent, SERVICE_AUTH } from "../ingest/events.ts";

const REQ = `test-resilience-${randomUUID()}`;
const USER = randomUUID();
const STREAMS = 4;
const BATCH = 25;
/** Longer than this is a hang: a request must be answered within a few seconds, also a failed one. */
const ANSWER_WITHIN_MS = 5_000;
/** Every stream succeeds again at most this long after Postgres accepts connections again. */
const RECOVERY_MS = 10_000;
/** Pause between a stream's batches, keeping the streams under the backends' request quota. */
const PACE_MS = 60;

// The database is only touched once it is back (the test's own pool would see the restart too).
afterAll(async () => {
  await ensurePostgresRunning();
  await ensureFunctionsRunning();
  const sql = connect();
  await sql`delete from public.events_raw where request_id = ${REQ}`;
  await sql.end();
});

type Outcome = {
  ids: string[];
  status: number; // 0: no HTTP answer (connection refused, reset or aborted)
  code?: string;
  retryAfter: string | null;
  startedAt: number;
  answeredAt: number;
  failure?: string;
};

const now = () => performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function request(path: string, init: RequestInit, ids: string[] = []): Promise<Outcome> {
  const startedAt = now();
  try {
    const res = await callFunction(path, { ...init, signal: AbortSignal.timeout(2 * ANSWER_WITHIN_MS) });
    const text = await res.text();
    let code: string | undefined;
    try {
      code = JSON.parse(text)?.error?.code;
    } catch {
      code = `not JSON: ${text.slice(0, 80)}`;
    }
    return { ids, status: res.status, code, retryAfter: res.headers.get("retry-after"), startedAt, answeredAt: now() };
  } catch (err) {
    return { ids, status: 0, retryAfter: null, startedAt, answeredAt: now(), failure: String(err) };
  }
}

function postBatch(): Promise<Outcome> {
  const events = Array.from({ length: BATCH }, () => sampleEvent("order_created", REQ, USER));
  return request("ingest", {
    method: "POST",
    headers: { "content-type": "application/json", ...SERVICE_AUTH },
    body: JSON.stringify({ events }),
  }, events.map((e) => e.event_id as string));
}

/** Posts batches one after another until `stop()`; returns every outcome in order. */
async function ingestStream(stop: () => boolean): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  while (!stop()) {
    outcomes.push(await postBatch());
    await sleep(PACE_MS);
  }
  return outcomes;
}

const describeOutcome = (o: Outcome) =>
  `${o.status}${o.code ? ` ${o.code}` : ""}${o.failure ? ` ${o.failure}` : ""} after ${Math.round(o.answeredAt - o.startedAt)} ms`;

/** Failed requests must be clean: a JSON 503 with an error code and Retry-After, answered quickly. */
function expectCleanFailures(outcomes: Outcome[]) {
  const unclean = outcomes.filter((o) => o.status !== 200 && (o.status !== 503 || !o.code?.startsWith("database_") || !o.retryAfter));
  expect(unclean.map(describeOutcome), "failures other than a JSON 503 database_* with Retry-After").toEqual([]);
  const slow = outcomes.filter((o) => o.answeredAt - o.startedAt > ANSWER_WITHIN_MS);
  expect(slow.map(describeOutcome), `requests answered after more than ${ANSWER_WITHIN_MS} ms`).toEqual([]);
}

/** Every 200 batch is stored whole; a failed batch is stored whole (its commit's answer was lost) or not at all. */
async function expectBatchesWholeOrAbsent(outcomes: Outcome[]) {
  const sql = connect();
  try {
    const stored = new Set((await sql<{ id: string }[]>`
      select event_id::text as id from public.events_raw where request_id = ${REQ}`).map((r) => r.id));
    const partial = outcomes.filter((o) => {
      const n = o.ids.filter((id) => stored.has(id)).length;
      return o.status === 200 ? n !== o.ids.length : n !== 0 && n !== o.ids.length;
    });
    expect(partial.map((o) => `${describeOutcome(o)}: ${o.ids.filter((id) => stored.has(id)).length} of ${o.ids.length} stored`)).toEqual([]);
  } finally {
    await sql.end();
  }
}

async function expectFunctionsAlive(pid: number) {
  expect(processIsAlive(pid), "the functions process survived").toBe(true);
  expect((await fetch(`${LOCAL_SUPABASE_URL}/_health`)).status).toBe(200);
}

describe("a crash restart of Postgres under four ingest streams", () => {
  it("costs failed requests only: the process lives, batches are whole, and every stream succeeds again within 10 s", { timeout: 180_000 }, async () => {
    const pid = functionsPid();
    for (let round = 1; round <= 2; round++) {
      let stopping = false;
      let upAt = Infinity;
      const streams = Array.from({ length: STREAMS }, () => ingestStream(() => stopping));
      let outcomes: Outcome[][] = [];
      try {
        await sleep(1_500);
        await restartPostgresImmediately();
        upAt = now();
        // Traffic goes on until every stream has succeeded again (or the recovery time is over), and a bit after.
        await sleep(RECOVERY_MS + 2_000);
      } finally {
        stopping = true;
        outcomes = await Promise.all(streams);
        await ensurePostgresRunning();
      }
      const all = outcomes.flat();
      const failed = all.filter((o) => o.status !== 200);
      // Per stream: from Postgres accepting connections again to the stream's next 200 (ms).
      const recoveries = outcomes.map((stream) => {
        const recovered = stream.find((o) => o.startedAt >= upAt && o.status === 200);
        return recovered ? Math.round(recovered.answeredAt - upAt) : Infinity;
      });
      const slowest = Math.round(Math.max(...all.map((o) => o.answeredAt - o.startedAt)));
      console.log(`round ${round}: ${all.length} batches, ${failed.length} failed (${[...new Set(failed.map((o) => o.code ?? o.failure))].join(", ")}); ` +
        `slowest answer ${slowest} ms; streams succeeded again ${recoveries.join(", ")} ms after Postgres was back`);

      await expectFunctionsAlive(pid);
      expect(failed.length, "the restart cost some requests (else it happened between batches: no test)").toBeGreaterThan(0);
      expectCleanFailures(all);
      await expectBatchesWholeOrAbsent(all);
      for (const [i, stream] of outcomes.entries()) {
        expect(recoveries[i], "time from Postgres back to this stream's next 200 (ms)").toBeLessThan(RECOVERY_MS);
        expect(stream.slice(-3).map(describeOutcome).filter((d) => !d.startsWith("200"))).toEqual([]);
      }
      // Every connection of the pool works again, not only the ones the streams happened to use:
      // bursts wider than the pool (10) use them all.
      const bursts: Outcome[] = [];
      for (let burst = 0; burst < 3; burst++) bursts.push(...await Promise.all(Array.from({ length: 20 }, postBatch)));
      expect(bursts.filter((o) => o.status !== 200 || o.answeredAt - o.startedAt > ANSWER_WITHIN_MS / 2).map(describeOutcome)).toEqual([]);
      await expectBatchesWholeOrAbsent(bursts);
    }
  });
});

describe("a longer outage", () => {
  it("answers every request with a JSON 503 within seconds while Postgres is down, and recovers within seconds once it is back", { timeout: 120_000 }, async () => {
    const pid = functionsPid();
    const adminAuth = { authorization: `Bearer ${await mintRoleToken("admin")}` };
    const during: Outcome[] = [];
    let recoveredAfterMs = Infinity;
    try {
      await stopPostgresImmediately();
      const until = now() + 4_000;
      while (now() < until) {
        during.push(await postBatch());
        during.push(await request(`metrics/payments?start_date=2026-01-01&end_date=2026-01-${10 + (during.length % 18)}`, { headers: adminAuth }));
        during.push(await request("health", { headers: SERVICE_AUTH }));
        during.push(await request(`privacy/export?user_id=${USER}`, { headers: SERVICE_AUTH }));
      }
      await startPostgres();
      const upAt = now();
      while (now() - upAt < 2 * RECOVERY_MS) {
        if ((await postBatch()).status === 200) {
          recoveredAfterMs = now() - upAt;
          break;
        }
        await sleep(100);
      }
    } finally {
      await ensurePostgresRunning();
    }
    console.log(`outage: ${during.length} requests, first 200 ${Math.round(recoveredAfterMs)} ms after Postgres was back`);

    await expectFunctionsAlive(pid);
    expect(during.filter((o) => o.status === 200).map(describeOutcome), "nothing succeeds without a database").toEqual([]);
    expectCleanFailures(during);
    expect(new Set(during.map((o) => o.code))).toEqual(new Set(["database_unavailable"]));
    await expectBatchesWholeOrAbsent(during);
    expect(recoveredAfterMs).toBeLessThan(RECOVERY_MS);
  });
});

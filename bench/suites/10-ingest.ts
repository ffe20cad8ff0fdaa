// Ingestion throughput: (a) raw COPY into events_raw, the baseline, and the same COPY in batches
// of 500, a transaction each, on 4 connections (the floor of any path that commits every batch);
// (b) the ingest function's own write path in batches of 500 (storeEvents: erased-user check + one
// COPY per batch; with the isolate's subject-hash cache warm, and with every batch's users new to
// it), and the insert ... on conflict do nothing it falls back to for retried batches; (c)
// end-to-end HTTP through the ingest function, batches of 500, 4 concurrent clients with the
// service key (node:http keep-alive connections spread evenly over the STACK_FUNCTIONS_WORKERS
// function processes, bench/http-client.ts), and (c') the same with four times the clients (16),
// enough for batches to queue in each function process and share transactions (group commit).
// Payloads are serialised (HTTP bodies encoded to bytes) before the clock starts in every case, so
// each row measures the server side only. With `--repeat R` the cases run R times interleaved, a
// round being (a), (c), then (b): each row gives the median run and its rate relative to the COPY
// of the same round, since this machine's speed drifts between rounds. Each row also states the
// Postgres CPU per event: on this 2-core machine Deno, the load generator and Postgres share the
// CPU, which a deployment (functions on their own machines) does not: issue 18's target compares
// the two Postgres CPU figures (rows of their own). `--cases` picks the cases after the COPY
// baseline (copy,http,http-loaded,copy-batches,write-path,fallback); `--ids seeded` sends random
// version-4 ids instead of the emitters' UUIDv7.
import postgres from "postgres";
import { COPY_SQL, copyLine } from "../../supabase/functions/_shared/copy-text.ts";
import { clearHashCache } from "../../supabase/functions/ingest/erased-users.ts";
import { HOLD_OFF_ERASURES_SQL, INSERT_EVENTS_SQL, storeEvents } from "../../supabase/functions/ingest/insert-events.ts";
import type { InTransaction } from "../../supabase/functions/ingest/insert-events.ts";
import { SERVICE_CALLER } from "../../supabase/functions/_shared/auth.ts";
import { inTransactionAs } from "../../supabase/functions/_shared/db.ts";
import type { Sql } from "../../supabase/functions/_shared/db.ts";
import type { ParsedEvent } from "../../supabase/functions/_shared/event-schema.ts";
import { NO_DELAY_SOCKET } from "../../supabase/functions/_shared/no-delay-socket.ts";
import { LOCAL_DB_URL, LOCAL_FUNCTIONS_URL, LOCAL_FUNCTIONS_WORKERS, LOCAL_SECRET_KEY } from "../../stack/local-settings.ts";
import { balancedLanes, closeConnections, postJson } from "../http-client.ts";
import { intArg, progress, timed, verdict } from "../lib.ts";
import { median, percentile } from "../../lib/stats.ts";
import { clusterCpuSeconds, sessionPostmasterPid } from "../stack-processes.ts";
import type { BenchOptions, BenchRow, BenchSuite } from "../lib.ts";
import { streamEvents, yesterdayUtc } from "../../lib/generator/index.ts";
import type { GeneratedEvent, GenerateOptions } from "../../lib/generator/index.ts";

const MARKER = "bench-ingest";
const WARMUP_MARKER = "bench-ingest-warmup";
// The suppression list holds one entry during the run (a user not among the bench's), as in any
// project after its first erasure: an empty list lets the erased-user check skip its work.
const ERASED_USER = "b0000000-0000-4000-8000-00000000e5ed";

// The workload (lib/generator) keeps the shape this suite has measured since its first runs:
// exactly N events in a day, 5,000 users, a user on every event, this domain mix, and the day
// shuffled, so a batch of 500 holds some 475 users (as independent events from many clients):
// each distinct user of a batch costs the erased-user check a hash.
const WORKLOAD = {
  days: 1, users: 5000, exact: true, userOnEveryEvent: true, shuffle: true,
  mix: { orders: 0.3, payments: 0.2, calls: 0.15, notifications: 0.2, moderation: 0.03, content: 0.12 },
} satisfies Partial<GenerateOptions>;

/**
 * `n` events of yesterday (inside ingestion's window), each with request_id = marker for the
 * cleanup. Their ids are the emitters' (UUIDv7, in sending order), or with `--ids seeded` the
 * generator's random version-4 ids (how the suite measured before the emitters sent UUIDv7).
 */
function workload(n: number, seed: number, marker: string, eventIds: GenerateOptions["eventIds"]): GeneratedEvent[] {
  return Array.from(streamEvents({ ...WORKLOAD, eventsPerDay: n, seed, endDate: yesterdayUtc(), eventIds }), (e) => ({ ...e, request_id: marker }));
}

function chunks<T>(xs: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
  return out;
}

/** Runs `jobs` with `concurrency` workers (numbered from 0); returns per-job latencies in ms. */
async function pool<T>(jobs: T[], concurrency: number, run: (job: T, worker: number) => Promise<void>): Promise<number[]> {
  const latencies: number[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async (_, worker) => {
    while (next < jobs.length) {
      const job = jobs[next++];
      const t0 = performance.now();
      await run(job, worker);
      latencies.push(performance.now() - t0);
    }
  }));
  return latencies.sort((a, b) => a - b);
}

/**
 * Pauses autovacuum on events_raw's partitions for the run and returns what restores each one's
 * setting. The suite vacuums between cases itself, off the clock; a background vacuum or analyze
 * (each case stores 200k events, past autovacuum's thresholds) would land on whichever case runs
 * at that moment and take its CPU.
 */
async function pauseAutovacuum(sql: postgres.Sql): Promise<() => Promise<void>> {
  const partitions = await sql<{ name: string; setting: string | null }[]>`
    select i.inhrelid::regclass::text as name,
      (select o.option_value from pg_catalog.pg_options_to_table(c.reloptions) as o where o.option_name = 'autovacuum_enabled') as setting
    from pg_catalog.pg_inherits i join pg_catalog.pg_class c on c.oid = i.inhrelid
    where i.inhparent = 'public.events_raw'::regclass`;
  const restore = async () => {
    process.off("SIGINT", onInterrupt);
    for (const p of partitions) {
      await sql.unsafe(p.setting === null ? `alter table ${p.name} reset (autovacuum_enabled)` : `alter table ${p.name} set (autovacuum_enabled = ${p.setting === "true"})`);
    }
  };
  // Ctrl-C skips the suite's finally: restore the settings before exiting.
  const onInterrupt = () => void restore().finally(() => process.exit(130));
  process.once("SIGINT", onInterrupt);
  for (const p of partitions) await sql.unsafe(`alter table ${p.name} set (autovacuum_enabled = false)`);
  return restore;
}

const latencyNote = (ms: number[]) => `p50 ${percentile(ms, 0.5).toFixed(0)} ms, p95 ${percentile(ms, 0.95).toFixed(0)} ms per batch`;

async function run(opts: BenchOptions): Promise<BenchRow[]> {
  const n = opts.events;
  const batchSize = intArg(opts, "batch", 500);
  const clients = intArg(opts, "clients", 4);
  const repeat = intArg(opts, "repeat", 5); // issue 18: its targets are medians of >= 5 interleaved rounds
  const processes = LOCAL_FUNCTIONS_WORKERS;
  const eventIds = opts.args.ids ?? "emitter";
  if (eventIds !== "emitter" && eventIds !== "seeded") throw new Error("--ids: emitter or seeded");
  // `--cases copy,http` measures only those (the COPY baseline always runs): a shorter run.
  const known = ["copy", "http", "http-loaded", "copy-batches", "write-path", "fallback"];
  const cases = typeof opts.args.cases === "string" ? opts.args.cases.split(",") : known;
  const unknownCases = cases.filter((c) => !known.includes(c));
  if (unknownCases.length) throw new Error(`--cases: unknown case ${unknownCases.join(", ")} (${known.join(", ")})`);
  // The same socket settings as the functions' pool (TCP_NODELAY: see no-delay-socket.ts).
  const sql = postgres(LOCAL_DB_URL, { max: clients, prepare: false, onnotice: () => {}, ...NO_DELAY_SOCKET });
  // The function's own transaction wrapper, on this pool.
  const asServiceRole: InTransaction = (fn) => inTransactionAs(sql as unknown as Sql, SERVICE_CALLER, fn);
  const clean = async () => {
    await sql`delete from public.events_raw where request_id in (${MARKER}, ${WARMUP_MARKER})`;
    await sql`vacuum (analyze) public.events_raw`;
    // Every case starts right after a checkpoint: none pays for one that a case before it made due
    // (the checkpointer's CPU counts as Postgres's), and each pays the same full-page images.
    await sql`checkpoint`;
  };
  const count = async () => (await sql<{ n: number }[]>`select count(*)::int as n from public.events_raw where request_id = ${MARKER}`)[0].n;
  let restoreAutovacuum: (() => Promise<void>) | undefined;
  const rows: BenchRow[] = [];
  const row = (c: string, seconds: number, extra?: string, baseline?: string) =>
    rows.push({ suite: "ingest", case: c, n, unit: "events", seconds, extra, baseline });

  try {
    progress(`ingest: generating ${n.toLocaleString("en-US")} events`);
    const events = workload(n, 20261125, MARKER, eventIds);
    const copyText = events.map((e) => copyLine(e as ParsedEvent));
    const copyBatches = chunks(copyText, batchSize).map((lines) => lines.join(""));
    const parsedBatches = chunks(events as ParsedEvent[], batchSize);
    const batches = parsedBatches.map((b) => JSON.stringify(b));
    // Encoded to bytes in advance too: the client's CPU is taken from the server under test.
    const bodies = chunks(events, batchSize).map((b) => Buffer.from(JSON.stringify({ events: b })));
    const warmupBodies = chunks(workload(Math.max(batchSize, Math.round(n / 20)), 20261202, WARMUP_MARKER, eventIds), batchSize)
      .map((b) => Buffer.from(JSON.stringify({ events: b })));
    await clean();
    await sql`insert into analytics.erased_subjects (subject_hash) values (analytics.subject_hash(${ERASED_USER})) on conflict do nothing`;
    restoreAutovacuum = await pauseAutovacuum(sql);
    // This stack's Postgres only (its postmaster and children): other checkouts' stacks may run too.
    const postmaster = await sessionPostmasterPid(sql);
    const postgresCpu = () => clusterCpuSeconds(postmaster);
    /** dbCpu: while the case ran plus the checkpoint right after it; dbCpuRun: while it ran. */
    type Runs = { seconds: number[]; dbCpu: (number | null)[]; dbCpuRun: (number | null)[]; extra: string; baseline?: string };
    const runs = new Map<string, Runs>();
    const httpCase = `HTTP ingest fn (${batchSize}/req, ${clients} clients, ${processes} fn processes)`;
    const loadedClients = 4 * clients;
    const loadedHttpCase = `HTTP ingest fn (${batchSize}/req, ${loadedClients} clients, ${processes} fn processes)`;
    const batchedCopyCase = `raw COPY, ${batchSize} events a transaction (${clients} conn)`;
    const cpuSince = (cpu0: number | null, cpu1: number | null) => (cpu0 === null || cpu1 === null ? null : cpu1 - cpu0);
    /**
     * Times `fn`, and the Postgres CPU it caused: each case starts right after a checkpoint (clean),
     * and its CPU figure includes the checkpoint that writes out the pages it dirtied (off the clock),
     * so it is the whole of what the case cost the database. `extra` of the latest run is kept.
     */
    const measure = async <T>(c: string, fn: () => Promise<T>, extra: (value: T) => string, baseline?: string) => {
      const cpu0 = postgresCpu();
      const res = await timed(fn);
      const cpu1 = postgresCpu();
      await sql`checkpoint`;
      const cpu2 = postgresCpu();
      const r = runs.get(c) ?? { seconds: [], dbCpu: [], dbCpuRun: [], extra: "", baseline };
      r.seconds.push(res.seconds);
      r.dbCpu.push(cpuSince(cpu0, cpu2));
      r.dbCpuRun.push(cpuSince(cpu0, cpu1));
      r.extra = extra(res.value);
      runs.set(c, r);
      return res.value;
    };

    /** The HTTP case with `conc` clients: a warm-up off the clock, then the timed run. */
    const httpRun = async (round: number, conc: number, c: string) => {
      progress(`ingest: round ${round}/${repeat} (c) HTTP, ${conc} clients`);
      // The backend key's quota starts afresh for the warm-up and again for the timed run (each stays
      // under its per-minute event limit, INGEST_SERVICE_EVENT_LIMIT_PER_MINUTE).
      const resetQuota = () => sql`delete from analytics.ingest_rate_limits where bucket like 'service:%'`;
      await resetQuota();
      let failures = 0;
      // Each client keeps one connection, spread evenly over the function processes (http-client.ts).
      const lanes = await balancedLanes(LOCAL_FUNCTIONS_URL, conc, processes);
      // Warm-up off the clock (5% of N): under steady load a function has its database connections
      // open, its code optimised and its heap grown. After the minute the other cases take, an idle
      // one has lost some of that (its pool closes idle connections after 30 s): bench/README.md.
      const postBatch = (body: Uint8Array, client: number) =>
        postJson(`${LOCAL_FUNCTIONS_URL}/ingest`, body, { authorization: `Bearer ${LOCAL_SECRET_KEY}` }, lanes[client]);
      await pool(warmupBodies, conc, async (body, client) => {
        const res = await postBatch(body, client);
        if (res.status !== 200) throw new Error(`warm-up: HTTP ${res.status}: ${res.text.slice(0, 300)}`);
      });
      await clean();
      await resetQuota();
      await measure(c, () => pool(bodies, conc, async (body, client) => {
        const res = await postBatch(body, client);
        if (res.status !== 200) {
          failures++;
          if (failures === 1) progress(`ingest: HTTP ${res.status}: ${res.text.slice(0, 300)}`);
        }
      }), latencyNote, "copy");
      for (const lane of lanes) lane.agent.destroy();
      const stored = await count();
      if (stored !== n) throw new Error(`HTTP stored ${stored} of ${n} events (${failures} failed requests)`);
      await clean();
    };

    for (let round = 1; round <= repeat; round++) {
      // (a) COPY baseline
      progress(`ingest: round ${round}/${repeat} (a) COPY`);
      await measure("copy", async () => {
        const stream = await sql.unsafe(COPY_SQL).writable();
        for (const line of copyText) if (!stream.write(line)) await new Promise((r) => stream.once("drain", r));
        await new Promise<void>((resolve, reject) => stream.end((err?: Error | null) => (err ? reject(err) : resolve())));
      }, () => "1 connection, text format");
      if ((await count()) !== n) throw new Error("COPY stored an unexpected number of rows");
      await clean();

      // (c) end-to-end HTTP through the function, run right after the COPY it is compared with (the
      // machine's speed drifts within minutes); (c') the same with four times the clients, so that
      // batches queue in each function process and share transactions (group-commit.ts)
      if (cases.includes("http")) await httpRun(round, clients, httpCase);
      if (cases.includes("http-loaded")) await httpRun(round, loadedClients, loadedHttpCase);

      // (a') the same COPY a batch at a time, each its own transaction, on as many connections as
      // the HTTP clients: what committing every batch costs before any work of the function's
      if (cases.includes("copy-batches")) {
        progress(`ingest: round ${round}/${repeat} (a') COPY, ${batchSize} events a transaction`);
        await measure(batchedCopyCase, () => pool(copyBatches, clients, async (text) => {
          const stream = await sql.unsafe(COPY_SQL).writable();
          await new Promise<void>((resolve, reject) => stream.end(text, (err?: Error | null) => (err ? reject(err) : resolve())));
        }), latencyNote, "copy");
        if ((await count()) !== n) throw new Error("the batched COPY stored an unexpected number of rows");
        await clean();
      }

      // (b) the function's write path, as service_role, on 1 and `clients` connections
      if (cases.includes("write-path")) {
        for (const conc of [1, clients]) {
          progress(`ingest: round ${round}/${repeat} (b) function write path (COPY), ${conc} connection(s)`);
          await measure(`fn write path: COPY (${batchSize}/stmt, ${conc} conn)`, () => pool(parsedBatches, conc, async (batch) => {
            if ((await storeEvents(asServiceRole, batch)) !== batch.length) throw new Error("storeEvents skipped events");
          }), latencyNote, "copy");
          if ((await count()) !== n) throw new Error("storeEvents stored an unexpected number of rows");
          await clean();
        }
        // ... with every batch's users new to the isolate: each batch asks for their hashes first
        progress(`ingest: round ${round}/${repeat} (b) function write path (COPY), cold hash cache, ${clients} connections`);
        await measure(`fn write path: COPY, users new to the isolate (${batchSize}/stmt, ${clients} conn)`, () => pool(parsedBatches, clients, async (batch) => {
          clearHashCache();
          if ((await storeEvents(asServiceRole, batch)) !== batch.length) throw new Error("storeEvents skipped events");
        }), latencyNote, "copy");
        if ((await count()) !== n) throw new Error("storeEvents stored an unexpected number of rows");
        await clean();
      }
      // ... and the insert it falls back to for a retried batch
      if (cases.includes("fallback")) {
        for (const conc of [1, clients]) {
          progress(`ingest: round ${round}/${repeat} (b) fallback insert, ${conc} connection(s)`);
          await measure(`fn fallback: insert jsonb_to_recordset on conflict (${batchSize}/stmt, ${conc} conn)`, () => pool(batches, conc, async (payload) => {
            await asServiceRole(async (tx) => {
              await tx.unsafe(HOLD_OFF_ERASURES_SQL);
              await tx.unsafe(INSERT_EVENTS_SQL, [payload]);
            });
          }), latencyNote, "copy");
          if ((await count()) !== n) throw new Error("insert stored an unexpected number of rows");
          await clean();
        }
      }
    }
    const copyRuns = runs.get("copy")!.seconds;
    const perEvent = (cpu: number[]) => (median(cpu) / n * 1e6).toFixed(1);
    for (const [c, r] of runs) {
      const parts = [r.extra];
      const cpu = r.dbCpu.filter((x): x is number => x !== null);
      const cpuRun = r.dbCpuRun.filter((x): x is number => x !== null);
      if (cpu.length) parts.push(`Postgres CPU ${perEvent(cpu)} us/event (${perEvent(cpuRun)} before its checkpoint)`);
      const rates = r.seconds.map((sec, i) => copyRuns[i] / sec * 100);
      if (r.baseline && repeat > 1) {
        parts.push(`rate vs the round's copy: ${rates.map((x) => `${x.toFixed(0)}%`).join(" ")} (median ${median(rates).toFixed(0)}%)`);
      }
      if (c === httpCase || c === loadedHttpCase) parts.push(verdict(median(rates), ">=", 60, "% of the copy rate"));
      if (repeat > 1) parts.push(`median of ${repeat}`);
      row(c, median(r.seconds), parts.join("; "), r.baseline);
    }
    // Issue 18's target: the database's cost per event on the HTTP path near that of a raw COPY;
    // and what committing every batch costs by itself, the floor of that ratio at this batch size.
    const copy = runs.get("copy")!;
    const ratiosOf = (a: (number | null)[], b: (number | null)[]) =>
      a.every((x) => x !== null) && b.every((x) => x !== null) ? a.map((x, i) => x! / b[i]!) : null;
    const ratioRow = (c: string, label: string, target?: (ratio: number) => string) => {
      const r = runs.get(c);
      const ratios = r && ratiosOf(r.dbCpu, copy.dbCpu);
      const ratiosRun = r && ratiosOf(r.dbCpuRun, copy.dbCpuRun);
      if (!r || !ratios || !ratiosRun) return;
      rows.push({
        suite: "ingest", case: label, n, unit: "events", seconds: median(r.dbCpu as number[]),
        extra: `${median(ratios).toFixed(2)}x within a round (${target ? `${target(median(ratios))}; ` : ""}rounds: ${ratios.map((x) => x.toFixed(2)).join(" ")}); ` +
          `before the checkpoints ${median(ratiosRun).toFixed(2)}x (rounds: ${ratiosRun.map((x) => x.toFixed(2)).join(" ")}); ` +
          `seconds = the case's Postgres CPU, median of ${repeat}`,
      });
    };
    ratioRow(httpCase, "Postgres CPU per HTTP event / per COPY event", (ratio) => verdict(ratio, "<=", 1.15, "x"));
    ratioRow(loadedHttpCase, `Postgres CPU per HTTP event / per COPY event, ${loadedClients} clients`, (ratio) => verdict(ratio, "<=", 1.15, "x"));
    ratioRow(batchedCopyCase, `Postgres CPU per event, COPY ${batchSize} a transaction / one COPY`);
  } finally {
    await restoreAutovacuum?.().catch(() => {});
    await clean().catch(() => {});
    await sql`delete from analytics.erased_subjects where subject_hash = analytics.subject_hash(${ERASED_USER})`.catch(() => {});
    await sql.end();
    closeConnections();
  }
  return rows;
}

const suite: BenchSuite = {
  name: "ingest",
  options: { batch: { type: "string" }, clients: { type: "string" }, repeat: { type: "string" }, cases: { type: "string" }, ids: { type: "string" } },
  run,
};
export default suite;

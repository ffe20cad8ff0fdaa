// A day at scale, end to end (`npm run bench -- --scale`; not part of the default run): ingests
// `--scale-events` events (default 10,000,000) dated local yesterday through the HTTP ingest
// function (batches of `--batch` 500, `--clients` 4 keep-alive clients, bench/http-client.ts), runs
// the nightly ETL as the schedule does (analytics.run_nightly_etl_in_steps, "today" the day after),
// then reads every metrics endpoint for the 30 days ending that day. Reports ingest throughput and
// the CPU of this stack's Postgres and functions per event, the nightly's time and its jobs',
// peak Postgres memory (PSS) in each phase, disk per million events (events_raw heap and each
// index), WAL per phase, and the metrics reads' latency. The workload: bench/scale-workload.ts.
// Bounded: refuses without enough free disk, stops when the ingest's projected time or the nightly
// passes `--scale-max-minutes` (default 120). Its rows and their metrics are removed at the end
// (unless `--scale-keep`; the next run removes them first), on Ctrl-C (or SIGTERM) too.
import postgres from "postgres";
import { LOCAL_DB_URL, LOCAL_FUNCTIONS_URL, LOCAL_FUNCTIONS_WORKERS, LOCAL_SECRET_KEY } from "../../stack/local-settings.ts";
import { mintRoleToken } from "../../stack/keys.ts";
import { balancedLanes, closeConnections, postJson } from "../http-client.ts";
import { intArg, progress, timed } from "../lib.ts";
import type { BenchOptions, BenchRow, BenchSuite } from "../lib.ts";
import { percentile } from "../../lib/stats.ts";
import { eventsRawSizes, mib, scaleContext, sizeGrowth, totalBytes, walLsn, walSince } from "../scale-db.ts";
import type { Sizes } from "../scale-db.ts";
import { scaleWorkload } from "../scale-workload.ts";
import type { ScaleWorkload } from "../scale-workload.ts";
import { clusterCpuSeconds, clusterPids, cpuSecondsOf, functionPids, postmasterPid, startMemorySampler } from "../stack-processes.ts";

const MARKER = "bench-scale";
// One entry in the suppression list, as in any project after its first erasure (bench/suites/10-ingest.ts).
const ERASED_USER = "b0000000-0000-4000-8000-00000005ca1e";
// Disk the run needs per event before its cleanup (events_raw and its indexes, with room to spare),
// on top of max_wal_size of WAL.
const DISK_BYTES_PER_EVENT = 1000;
const NIGHTLY_LOCK = "select pg_catalog.pg_advisory_lock(pg_catalog.hashtext('analytics.nightly'), 0)";
const CHECKOUT = new URL("../../", import.meta.url).pathname;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fmtInt = (x: number) => Math.round(x).toLocaleString("en-US");
const minutes = (s: number) => `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, "0")}s`;

/** Sends the workload with one loop per lane; stops early when `stop()` says so. Returns per-request latencies (ms). */
async function send(work: ScaleWorkload, lanes: Awaited<ReturnType<typeof balancedLanes>>, stop: () => boolean) {
  const latencies: number[] = [];
  const totals = { stored: 0, duplicates: 0, retries: 0 };
  let failure: Error | undefined;
  const headers = { authorization: `Bearer ${LOCAL_SECRET_KEY}` };
  await Promise.all(lanes.map(async (lane) => {
    for (let body = work.next(); body && !failure && !stop(); body = work.next()) {
      for (let attempt = 1; ; attempt++) {
        const t0 = performance.now();
        const res = await postJson(`${LOCAL_FUNCTIONS_URL}/ingest`, body, headers, lane);
        if (res.status === 200) {
          latencies.push(performance.now() - t0);
          const r = JSON.parse(res.text) as { accepted: number; duplicates: number };
          totals.stored += r.accepted;
          totals.duplicates += r.duplicates;
          break;
        }
        // A full quota or a busy database: the batch was stored whole or not at all, so send it again.
        if ((res.status === 429 || res.status === 503) && attempt < 30) {
          totals.retries++;
          await sleep(res.status === 429 ? 200 : 1000);
          continue;
        }
        failure ??= new Error(`ingest: HTTP ${res.status}: ${res.text.slice(0, 300)}`);
        return;
      }
    }
  }));
  if (failure) throw failure;
  return { latencies: latencies.sort((a, b) => a - b), ...totals };
}

/** One metrics endpoint read `reads` times cold (its table's data version bumped before each) and warm. */
async function readMetrics(sql: postgres.Sql, token: string, path: string, table: string, reads: number) {
  const get = async () => {
    const t0 = performance.now();
    const res = await fetch(`${LOCAL_FUNCTIONS_URL}/metrics/${path}`, { headers: { authorization: `Bearer ${token}` } });
    const body = await res.text();
    const ms = performance.now() - t0;
    if (res.status !== 200) throw new Error(`metrics/${path}: HTTP ${res.status} ${body.slice(0, 200)}`);
    return { ms, rows: (JSON.parse(body) as { meta: { row_count: number } }).meta.row_count, bytes: body.length };
  };
  const first = await get(); // the first read after the nightly: nothing cached
  const cold: number[] = [];
  for (let i = 0; i < reads; i++) {
    // A statement-level trigger counts every write statement, even one that changes no row.
    await sql`delete from ${sql("public." + table)} where false`;
    cold.push((await get()).ms);
  }
  const warm: number[] = [];
  for (let i = 0; i < reads; i++) warm.push((await get()).ms);
  return { first, cold: cold.sort((a, b) => a - b), warm: warm.sort((a, b) => a - b) };
}

async function run(opts: BenchOptions): Promise<BenchRow[]> {
  const n = intArg(opts, "scale-events", 10_000_000);
  const batch = intArg(opts, "batch", 500);
  const clients = intArg(opts, "clients", 4);
  const budgetS = intArg(opts, "scale-max-minutes", 120) * 60;
  const keep = opts.args["scale-keep"] === true;
  const started = performance.now();
  const elapsedS = () => (performance.now() - started) / 1000;

  const sql = postgres(LOCAL_DB_URL, { max: 2, onnotice: () => {} });
  // The session that holds the nightly lock for the whole run, so the hourly schedule cannot start a
  // nightly run in the middle of a measurement, and that runs the nightly itself (the lock is re-entrant).
  const nightlySql = postgres(LOCAL_DB_URL, { max: 1, onnotice: (n) => progress(`scale: ${n.message}`) });
  const rows: BenchRow[] = [];
  const ctx = await scaleContext(sql);
  const day = ctx.day;
  const nextDay = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  const postmaster = postmasterPid(ctx.dataDirectory);
  const sampler = startMemorySampler(() => clusterPids(postmaster));

  let aborted = false;
  let abortedAt = 0;
  let nightlyPid: number | undefined;
  const onInterrupt = () => {
    // tsx relays the terminal's Ctrl-C to this process, which gets it from the terminal too: one press, two signals.
    if (aborted && performance.now() - abortedAt < 2000) return;
    if (aborted) {
      progress(`scale: interrupted again: exiting; rows with request_id '${MARKER}' are left (the next run removes them)`);
      process.exit(130);
    }
    aborted = true;
    abortedAt = performance.now();
    progress("scale: interrupted: stopping and cleaning up (Ctrl-C again to exit at once)");
    if (nightlyPid !== undefined) void sql`select pg_catalog.pg_cancel_backend(${nightlyPid})`.catch(() => {});
  };
  process.on("SIGINT", onInterrupt);
  process.on("SIGTERM", onInterrupt);
  const [saved] = await sql<{ last_today: string | null }[]>`select last_today::text from analytics.etl_nightly_state`;
  const [marks] = await sql<{ job: number; nightly: number }[]>`select
    (select coalesce(max(id), 0) from public.etl_job_runs)::float8 as job,
    (select coalesce(max(run_id), 0) from analytics.etl_nightly_runs)::float8 as nightly`;
  let nightlyRan = false;
  const [{ computedBefore }] = await sql<{ computedBefore: boolean }[]>`
    select exists (select 1 from analytics.etl_days where metric_date = ${day}::date) as "computedBefore"`;

  // Rows of an earlier run (--scale-keep, or one that was stopped): removed before anything is measured.
  const removeRows = async () => {
    const parts = await sql<{ name: string }[]>`
      select p.relid::regclass::text as name from pg_catalog.pg_partition_tree('public.events_raw') p where p.isleaf`;
    for (const p of parts) {
      const [r] = await sql.unsafe<{ ours: boolean; others: boolean }[]>(
        `select exists (select 1 from ${p.name} where request_id = $1) as ours,
           exists (select 1 from ${p.name} where request_id is distinct from $1) as others`, [MARKER]);
      if (!r.ours) continue;
      progress(`scale: removing the run's rows from ${p.name}`);
      // Truncated when it holds nothing else: the space (and the index pages) go back, so the next run's growth is measurable.
      if (!r.others) await sql.unsafe(`truncate ${p.name}`);
      else {
        await sql.unsafe(`delete from ${p.name} where request_id = $1`, [MARKER]);
        await sql.unsafe(`vacuum ${p.name}`);
      }
    }
  };

  try {
    const need = n * DISK_BYTES_PER_EVENT + ctx.maxWalBytes;
    if (ctx.freeBytes < need) {
      throw new Error(`scale: ${mib(ctx.freeBytes)} free on ${ctx.dataDirectory}'s disk; ${fmtInt(n)} events need about ${mib(need)}`);
    }
    progress(`scale: ${fmtInt(n)} events on ${day} (local yesterday, ${ctx.timeZone}); ${mib(ctx.freeBytes)} free, about ${mib(need)} needed`);
    await nightlySql.unsafe(NIGHTLY_LOCK);
    nightlyPid = (await nightlySql<{ pid: number }[]>`select pg_catalog.pg_backend_pid() as pid`)[0].pid;
    await removeRows();
    await sql`insert into analytics.erased_subjects (subject_hash) values (analytics.subject_hash(${ERASED_USER})) on conflict do nothing`;

    progress(`scale: generating the template day`);
    const work = scaleWorkload({ total: n, batch, day, shiftMs: ctx.shiftMs, marker: MARKER, seed: 20261204 });
    const lanes = await balancedLanes(LOCAL_FUNCTIONS_URL, clients, LOCAL_FUNCTIONS_WORKERS);
    const fnPids = functionPids(CHECKOUT);

    // ---- Ingest -------------------------------------------------------------------------------
    const sizes0 = await eventsRawSizes(sql);
    const wal0 = await walLsn(sql);
    const cpu0 = { pg: clusterCpuSeconds(postmaster), fn: cpuSecondsOf(fnPids) };
    // One backend key, and its per-minute event quota is far below this rate: counted as usual, reset every second.
    const resetQuota = setInterval(() => void sql`delete from analytics.ingest_rate_limits where bucket like 'service:%'`.catch(() => {}), 1000);
    let overBudget = false;
    const t0 = performance.now();
    let last = { at: t0, sent: 0, pg: cpu0.pg };
    const report = setInterval(() => {
      const now = performance.now();
      const sent = work.handedOut;
      const pg = clusterCpuSeconds(postmaster);
      const rate = sent / ((now - t0) / 1000);
      const eta = (n - sent) / rate;
      progress(`scale: ingest ${fmtInt(sent)}/${fmtInt(n)} events, ${fmtInt((sent - last.sent) / ((now - last.at) / 1000))}/s now ` +
        `(Postgres ${((pg - last.pg) / Math.max(1, sent - last.sent) * 1e6).toFixed(0)} us/event), ${fmtInt(rate)}/s overall, ETA ${minutes(eta)}`);
      last = { at: now, sent, pg };
      if ((now - t0) / 1000 > 60 && elapsedS() + eta > budgetS) {
        overBudget = true;
        progress(`scale: the ingest would end after --scale-max-minutes (${budgetS / 60}): stopping`);
      }
    }, 10_000);
    sampler.phase("ingest");
    let sent;
    try {
      sent = await timed(() => send(work, lanes, () => aborted || overBudget));
    } finally {
      sampler.phase(undefined);
      clearInterval(report);
      clearInterval(resetQuota);
      for (const lane of lanes) lane.agent.destroy();
    }
    if (aborted || overBudget) throw new Error("scale: stopped before the whole day was ingested");
    const cpu1 = { pg: clusterCpuSeconds(postmaster), fn: cpuSecondsOf(fnPids) };
    const ingestWal = await walSince(sql, wal0);
    const [{ stored }] = await sql<{ stored: number }[]>`select count(*)::float8 as stored from public.events_raw where request_id = ${MARKER}`;
    if (stored !== n) throw new Error(`scale: ${fmtInt(stored)} of ${fmtInt(n)} events stored`);
    const ingestMem = sampler.peak("ingest");
    const lat = sent.value.latencies;
    rows.push({
      suite: "scale", case: `HTTP ingest (${batch}/req, ${clients} clients, ${LOCAL_FUNCTIONS_WORKERS} fn processes)`, n, unit: "events", seconds: sent.seconds,
      extra: `Postgres CPU ${((cpu1.pg - cpu0.pg) / n * 1e6).toFixed(1)} us/event, functions CPU ${((cpu1.fn - cpu0.fn) / n * 1e6).toFixed(1)} us/event; ` +
        `p50 ${percentile(lat, 0.5).toFixed(0)} ms, p95 ${percentile(lat, 0.95).toFixed(0)} ms per batch; ${sent.value.retries} retried batches; ` +
        `WAL ${mib(ingestWal)} (${(ingestWal / n).toFixed(0)} B/event); peak Postgres memory ${memoryNote(ingestMem)}`,
    });

    // ---- Vacuum: by 02:00 autovacuum has long processed the day's rows -------------------------
    progress("scale: vacuum (analyze) of events_raw, as autovacuum would have done before the nightly");
    const walV = await walLsn(sql);
    const vac = await timed(() => sql`vacuum (analyze) public.events_raw`);
    const vacuumWal = await walSince(sql, walV);
    rows.push({ suite: "scale", case: "vacuum (analyze) events_raw after the ingest", n, unit: "events", seconds: vac.seconds, extra: `WAL ${mib(vacuumWal)}` });
    rows.push(diskRow(sizeGrowth(sizes0, await eventsRawSizes(sql)), n));

    // ---- The nightly run, as the schedule runs it ------------------------------------------------
    progress(`scale: nightly run for ${day}`);
    await sql`update analytics.etl_nightly_state set last_today = ${day}::date`;
    const walN = await walLsn(sql);
    const cpuN = clusterCpuSeconds(postmaster);
    const cancelAt = setTimeout(() => {
      progress(`scale: the nightly run passes --scale-max-minutes (${budgetS / 60}): cancelling it`);
      void sql`select pg_catalog.pg_cancel_backend(${nightlyPid!})`.catch(() => {});
    }, Math.max(60, budgetS - elapsedS()) * 1000);
    sampler.phase("nightly");
    let nightly;
    try {
      nightlyRan = true;
      nightly = await timed(() => nightlySql`call analytics.run_nightly_etl_in_steps(${nextDay}::date)`);
    } finally {
      sampler.phase(undefined);
      clearTimeout(cancelAt);
    }
    const nightlyCpu = clusterCpuSeconds(postmaster) - cpuN;
    const nightlyWal = await walSince(sql, walN);
    const [runRow] = await sql<{ status: string; days: string[] }[]>`
      select status, days::text[] as days from analytics.etl_nightly_runs where run_id > ${marks.nightly} order by run_id desc limit 1`;
    if (runRow?.status !== "succeeded") throw new Error(`scale: nightly run ${runRow?.status ?? "missing"}`);
    // A stepped run records every job of a day as running first, then runs them one after another:
    // each job's time is from the previous one's end.
    const jobs = await sql<{ job_name: string; s: number }[]>`
      select job_name, extract(epoch from finished_at - coalesce(lag(finished_at) over (order by finished_at), started_at))::float8 as s
      from public.etl_job_runs where id > ${marks.job} and target_date = ${day}::date and job_name <> 'pipeline' order by finished_at`;
    rows.push({
      suite: "scale", case: `nightly (run_nightly_etl_in_steps), days ${runRow.days.join(", ")}`, n, unit: "events", seconds: nightly.seconds,
      extra: `Postgres CPU ${nightlyCpu.toFixed(1)} s; WAL ${mib(nightlyWal)}; peak Postgres memory ${memoryNote(sampler.peak("nightly"))}; ` +
        `jobs: ${jobs.map((j) => `${j.job_name} ${j.s.toFixed(1)}s`).join(", ")}`,
    });

    // ---- Metrics reads ---------------------------------------------------------------------------
    const token = await mintRoleToken("admin");
    const from = new Date(Date.parse(`${day}T00:00:00Z`) - 29 * 86_400_000).toISOString().slice(0, 10);
    const range = `start_date=${from}&end_date=${day}`;
    const reads = 20;
    for (const [endpoint, query, table] of [
      ["fulfillment", range, "metrics_daily_fulfillment"], ["payments", range, "metrics_daily_payments"],
      ["calls", range, "metrics_daily_calls"], ["engagement", range, "metrics_daily_engagement"],
      ["content", range, "metrics_daily_content"], ["cohort-retention", `cohort_start=${from}&cohort_end=${day}`, "metrics_cohort_retention"],
      ["overview", `date=${day}`, "metrics_daily_fulfillment"],
    ]) {
      progress(`scale: metrics ${endpoint}`);
      const r = await readMetrics(sql, token, `${endpoint}?${query}`, table, reads);
      rows.push({
        suite: "scale", case: `metrics ${endpoint}, 30 days`, n: 1 + 2 * reads, unit: "requests",
        seconds: (r.first.ms + r.cold.reduce((a, b) => a + b, 0) + r.warm.reduce((a, b) => a + b, 0)) / 1000,
        extra: `first read ${r.first.ms.toFixed(1)} ms; cold p50 ${percentile(r.cold, 0.5).toFixed(1)} ms, p95 ${percentile(r.cold, 0.95).toFixed(1)} ms; ` +
          `warm p50 ${percentile(r.warm, 0.5).toFixed(1)} ms; ${r.first.rows} rows, ${(r.first.bytes / 1024).toFixed(0)} KiB`,
      });
    }
    progress(`scale: done in ${minutes(elapsedS())}`);
  } finally {
    sampler.stop();
    closeConnections();
    await sql`update analytics.etl_nightly_state set last_today = ${saved?.last_today ?? null}::date`.catch(() => {});
    await sql`delete from analytics.erased_subjects where subject_hash = analytics.subject_hash(${ERASED_USER})`.catch(() => {});
    if (keep) progress(`scale: --scale-keep: the events (request_id '${MARKER}') and the metrics of ${day} stay`);
    else {
      try {
        await removeRows();
        // The day's metrics, activity and cohorts as its remaining events say, and the run records gone.
        if (nightlyRan) {
          progress(`scale: recomputing ${day} without the run's events`);
          await nightlySql`select * from analytics.rebuild_metrics(${day}::date, ${day}::date, ${nextDay}::date)`;
          if (!computedBefore) await sql`delete from analytics.etl_days where metric_date = ${day}::date`;
        }
        await sql`delete from public.etl_job_runs where id > ${marks.job}`;
        await sql`delete from analytics.etl_nightly_runs where run_id > ${marks.nightly}`;
      } catch (err) {
        progress(`scale: cleanup failed: ${(err as Error).message}`);
      }
    }
    process.off("SIGINT", onInterrupt);
    process.off("SIGTERM", onInterrupt);
    await nightlySql.end();
    await sql.end();
  }
  return rows;
}

function memoryNote(m: ReturnType<ReturnType<typeof startMemorySampler>["peak"]>): string {
  if (!m || m.samples === 0) return "unavailable";
  return `PSS ${mib(m.pss * 1024)} (private ${mib(m.pssAnon * 1024)}, shared memory ${mib(m.pssShmem * 1024)}; sum of RSS ${mib(m.rss * 1024)})`;
}

function diskRow(grown: Sizes, n: number): BenchRow {
  const perMillion = (bytes: number) => mib(bytes / (n / 1e6));
  const parts = [`heap ${perMillion(grown.heap)}`, `TOAST/FSM/VM ${perMillion(grown.other)}`,
    ...[...grown.indexes].map(([name, bytes]) => `${name} ${perMillion(bytes)}`)];
  return {
    suite: "scale", case: "disk per 1M events (events_raw growth)", n, unit: "events", seconds: 0,
    extra: `${perMillion(totalBytes(grown))} in all: ${parts.join(", ")}`,
  };
}

const suite: BenchSuite = {
  name: "scale",
  optIn: true,
  options: {
    scale: { type: "boolean" }, "scale-events": { type: "string" }, "scale-keep": { type: "boolean" }, "scale-max-minutes": { type: "string" },
  },
  run,
};
export default suite;

// ETL benchmark: the full pipeline for one day of `--etl-events` events (default 1,000,000) next to
// one bare aggregate scan of that day (the baseline, same run), then the same pipeline again with
// `--etl-days` days (default 30) loaded around it. Targets: pipeline <= 8x the bare scan; cost with
// 30 days loaded <= 1.3x the cost with 1 day. Background days carry `--etl-bg-events` events each
// (default: the same as the measured day). Everything loaded is dropped at the end.
import postgres from "postgres";
import { LOCAL_DB_URL } from "../../stack/keys.ts";
import { copyEvents, generateDays } from "../../scripts/generator/index.ts";
import { progress, timed } from "../lib.ts";
import type { BenchOptions, BenchRow, BenchSuite } from "../lib.ts";

// A month nothing else uses; its partition is created and dropped by this suite.
const DAY = "2027-06-30";
const MONTH_START = "2027-06-01";
const PARTITION = "events_raw_2027_06";

function intArg(opts: BenchOptions, name: string, fallback: number): number {
  const n = Number(opts.args.get(name) ?? fallback);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer`);
  return n;
}

/** Loads generated days ending at endDate; events before `from` (a warm-up day's) are skipped. */
async function load(sql: postgres.Sql, days: number, eventsPerDay: number, endDate: string, seed: number, from = ""): Promise<number> {
  let total = 0;
  for (const { day, events } of generateDays({ days, eventsPerDay, seed, endDate })) {
    const kept = events.filter((e) => e.event_timestamp >= from);
    if (kept.length === 0) continue;
    total += await copyEvents(sql, kept);
    progress(`etl: loaded ${day} (${kept.length.toLocaleString("en-US")} events, ${total.toLocaleString("en-US")} total)`);
  }
  return total;
}

async function cleanup(sql: postgres.Sql) {
  await sql.unsafe(`drop table if exists public.${PARTITION}`);
  const range = sql`between ${MONTH_START}::date and ${DAY}::date`;
  for (const t of ["metrics_daily_fulfillment", "metrics_daily_payments", "metrics_daily_calls", "metrics_daily_engagement", "metrics_daily_content"]) {
    await sql`delete from ${sql("public." + t)} where metric_date ${range}`;
  }
  await sql`delete from public.metrics_cohort_retention where cohort_date ${range}`;
  await sql`delete from public.etl_job_runs where target_date ${range}`;
  await sql`delete from analytics.etl_pending_days where metric_date ${range}`;
  await sql`delete from analytics.user_daily_activity where activity_date ${range}`;
  await sql`delete from analytics.user_first_seen where first_seen_date ${range}`;
}

/** Median of `runs` timings of `fn`. */
async function median(runs: number, fn: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push((await timed(fn)).seconds);
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)];
}

const suite: BenchSuite = {
  name: "etl",
  async run(opts) {
    const events = intArg(opts, "etl-events", 1_000_000);
    const days = intArg(opts, "etl-days", 30);
    const bgEvents = intArg(opts, "etl-bg-events", events);
    const sql = postgres(LOCAL_DB_URL, { onnotice: () => {}, max: 1 });
    const bareScan = () => sql`select count(*), count(distinct user_id) from public.events_raw
      where event_timestamp >= ${DAY + "T00:00:00Z"}::timestamptz and event_timestamp < ${DAY + "T00:00:00Z"}::timestamptz + interval '1 day'`;
    const pipeline = async () => {
      const [{ s }] = await sql`select analytics.run_daily_etl_pipeline(${DAY}::date) as s`;
      if (s !== "succeeded") throw new Error(`pipeline ${s}`);
    };
    const jobTimes = async () => {
      const rows = await sql<{ job_name: string; s: number }[]>`select distinct on (job_name) job_name,
        extract(epoch from finished_at - started_at)::float8 as s from public.etl_job_runs
        where target_date = ${DAY} and job_name <> 'pipeline' order by job_name, id desc`;
      return rows.map((r) => `${r.job_name} ${r.s.toFixed(2)}s`).join(", ");
    };
    const rows: BenchRow[] = [];
    try {
      await cleanup(sql);
      await sql`select analytics.create_events_partition(${DAY}::date)`;
      // Two generated days, only the second loaded: the measured day then has the lifecycles that
      // started the day before (steady state), so it holds about --etl-events events.
      const n = await load(sql, 2, events, DAY, 2027, DAY);
      await sql.unsafe(`analyze public.${PARTITION}`);

      const scan1 = await median(3, bareScan);
      await pipeline(); // warm-up (also fills the activity tables once)
      const etl1 = await median(3, pipeline);
      const jobs1 = await jobTimes();
      rows.push({ suite: "etl", case: "bare scan, 1 day loaded", n, unit: "events", seconds: scan1, extra: "count(*), count(distinct user_id) of the day; median of 3" });
      rows.push({
        suite: "etl", case: "pipeline, 1 day loaded", n, unit: "events", seconds: etl1, baseline: "bare scan, 1 day loaded",
        extra: `${(etl1 / scan1).toFixed(2)}x bare scan (target <= 8x); ${jobs1}`,
      });

      if (days > 1) {
        const before = new Date(Date.parse(`${DAY}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
        const bg = await load(sql, days - 1, bgEvents, before, 2028);
        await sql.unsafe(`analyze public.${PARTITION}`);
        const scanN = await median(3, bareScan);
        await pipeline();
        const etlN = await median(3, pipeline);
        rows.push({ suite: "etl", case: `bare scan, ${days} days loaded`, n, unit: "events", seconds: scanN, extra: `${(n + bg).toLocaleString("en-US")} rows in the partition` });
        rows.push({
          suite: "etl", case: `pipeline, ${days} days loaded`, n, unit: "events", seconds: etlN, baseline: "pipeline, 1 day loaded",
          extra: `ratio ${(etlN / etl1).toFixed(2)} to 1 day (target <= 1.3); ${(etlN / scanN).toFixed(2)}x bare scan; background days ${bgEvents.toLocaleString("en-US")} events each; ${await jobTimes()}`,
        });
      }
    } finally {
      await cleanup(sql);
      await sql.end();
    }
    return rows;
  },
};
export default suite;

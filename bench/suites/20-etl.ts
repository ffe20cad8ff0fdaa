// ETL benchmark: the nightly run (analytics.run_nightly_etl) for one day of `--etl-events` events
// (default 1,000,000) with no late data, next to one bare aggregate scan of that day (the baseline,
// same run), with that day alone in its month partition and with `--etl-days` days (default 30)
// loaded before it. Targets (issue 18): nightly <= 6x the bare scan; cost with 30 days loaded <= 1.3x the
// cost with 1 day. Those runs recompute a day already computed; the 30-day state's day is also
// measured as a new day's nightly computes it (its activity pairs recorded anew). Each ratio is also
// given in the session backend's CPU seconds. Then, on the 30-day state with every day computed, the nightly run after
// `--etl-late` (default 10,000) late events spread over those days, next to a plain nightly run
// of the same state: its cost must follow the days the late events touch, not the days stored;
// then late payment outcomes only, over the same days: those days rerun the payments job alone.
// Both states are loaded side by side: the same generated day (same events under other ids) on
// ALONE_DAY, alone in its partition, and on DAY with `--etl-days - 1` background days before it (seed 2028,
// `--etl-bg-events` events each, default the measured day's), every event stored with the day it
// happened on, as events arrive (see load). The two days are two months apart and share no entity.
// Then `--etl-rounds` rounds (default 5) each measure both states back to back
// (bare scan twice, nightly twice, the second of each: warm), and the ratios are taken within each
// round and reported as medians: the machine's speed drifts by tens of percent over the minutes a
// load takes, and a ratio across them measured that drift. The later day's cohort job also writes
// retention rows of the earlier day's cohort: extra work on the 30-day side only. Everything loaded
// is dropped at the end (and the nightly run's state restored), unless `--etl-keep` leaves it for
// EXPLAIN ANALYZE (the next run drops it first); `--etl-reuse` measures what an earlier run left
// (the generator is deterministic: the same data a load would produce).
import postgres from "postgres";
import { LOCAL_DB_URL } from "../../stack/local-settings.ts";
import { copyEvents, generateDays } from "../../lib/generator/index.ts";
import type { GeneratedEvent } from "../../lib/generator/index.ts";
import { backendCpuSeconds } from "../process-cpu.ts";
import { intArg, progress, timed, verdict } from "../lib.ts";
import { median } from "../../lib/stats.ts";
import type { BenchOptions, BenchRow, BenchSuite } from "../lib.ts";

// Months nothing else uses; their partitions are created and dropped by this suite.
const DAY = "2027-06-30";
const ALONE_DAY = "2027-04-30";
const MONTH_START = "2027-04-01";
const PARTITIONS = ["events_raw_2027_04", "events_raw_2027_06"];
/** A payment's outcomes: what a provider's webhooks report (not user-initiated). */
const PAYMENT_OUTCOMES = ["payment_succeeded", "payment_failed", "refund_issued"];

/**
 * The same events under other ids: the first hex digit of every uuid (event, user, entity, reader)
 * flipped, so a copy shares no user or entity with the original. Under KPI v2 a shared user or
 * order would tie the two measured days together (first-seen days, order histories).
 */
const underOtherIds = <T>(event: T): T =>
  JSON.parse(JSON.stringify(event).replace(/"([0-9a-f])([0-9a-f]{7}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"/g,
    (_, first: string, rest: string) => `"${(parseInt(first, 16) ^ 8).toString(16)}${rest}"`)) as T;

/**
 * Loads generated days ending at endDate; events before `from` (a warm-up day's) are skipped. Each
 * event is stored with the day it happened on, as it would arrive: the generator gives a lifecycle's
 * events with the day it started, and stored with that day, a lifecycle's later events made every
 * BRIN range of a day span the days after it too (each day's scan read several days' pages).
 */
async function load(sql: postgres.Sql, days: number, eventsPerDay: number, endDate: string, seed: number, from = "", otherIds = false): Promise<number> {
  let total = 0;
  let waiting: GeneratedEvent[] = [];
  const store = async (label: string, events: GeneratedEvent[]) => {
    const kept = events.filter((e) => e.event_timestamp >= from).map((e) => (otherIds ? underOtherIds(e) : e));
    if (kept.length === 0) return;
    total += await copyEvents(sql, kept);
    progress(`etl: loaded ${label} (${kept.length.toLocaleString("en-US")} events, ${total.toLocaleString("en-US")} total)`);
  };
  for (const { day, events } of generateDays({ days, eventsPerDay, seed, endDate })) {
    const next = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    const all = waiting.concat(events);
    waiting = all.filter((e) => e.event_timestamp >= next);
    await store(day, all.filter((e) => e.event_timestamp < next));
  }
  await store(`the days after ${endDate}`, waiting); // none: the generator ends lifecycles at its window's end
  return total;
}

async function cleanup(sql: postgres.Sql) {
  for (const p of PARTITIONS) await sql.unsafe(`drop table if exists public.${p}`);
  const range = sql`between ${MONTH_START}::date and ${DAY}::date`;
  for (const t of ["metrics_daily_fulfillment", "metrics_daily_payments", "metrics_daily_calls", "metrics_daily_engagement", "metrics_daily_content"]) {
    await sql`delete from ${sql("public." + t)} where metric_date ${range}`;
  }
  await sql`delete from public.metrics_cohort_retention where cohort_date ${range}`;
  await sql`delete from public.etl_job_runs where target_date ${range}`;
  await sql`delete from analytics.etl_late_day_marks where metric_date ${range}`;
  await sql`delete from analytics.user_daily_activity where activity_date ${range}`;
  await sql`delete from analytics.user_first_seen where first_seen_date ${range}`;
  await sql`delete from analytics.etl_activity_changes where activity_date ${range}`;
  await sql`delete from analytics.etl_share_links where target_day ${range} or source_day ${range}`;
  await sql`delete from analytics.etl_opt_out_links where target_day ${range} or source_day ${range}`;
  await sql`delete from analytics.etl_share_same_day where metric_date ${range}`;
  await sql`delete from analytics.etl_recompute_requests where metric_date ${range}`;
  await sql`delete from analytics.etl_days where metric_date ${range}`;
}

/**
 * The second of two runs (the first brings the day's pages into shared buffers): its time, and the
 * CPU seconds of the session's backend, which other load on this shared machine does not inflate.
 */
async function warm(pid: number, fn: () => Promise<unknown>): Promise<{ seconds: number; cpu: number }> {
  await fn();
  const cpu0 = backendCpuSeconds(pid);
  const { seconds } = await timed(fn);
  return { seconds, cpu: backendCpuSeconds(pid) - cpu0 };
}

const suite: BenchSuite = {
  name: "etl",
  options: {
    "etl-events": { type: "string" }, "etl-days": { type: "string" }, "etl-bg-events": { type: "string" },
    "etl-rounds": { type: "string" }, "etl-late": { type: "string" }, "etl-keep": { type: "boolean" }, "etl-reuse": { type: "boolean" },
  },
  async run(opts) {
    const events = intArg(opts, "etl-events", 1_000_000);
    const days = intArg(opts, "etl-days", 30);
    const bgEvents = intArg(opts, "etl-bg-events", events);
    const rounds = intArg(opts, "etl-rounds", 5);
    const lateEvents = intArg(opts, "etl-late", 10_000);
    if (days < 2) throw new Error("--etl-days must be at least 2");
    const sql = postgres(LOCAL_DB_URL, { onnotice: () => {}, max: 1 });
    const [{ pid }] = await sql<{ pid: number }[]>`select pg_backend_pid() as pid`;
    const onDay = (day: string) =>
      sql`event_timestamp >= ${day + "T00:00:00Z"}::timestamptz and event_timestamp < ${day + "T00:00:00Z"}::timestamptz + interval '1 day'`;
    const bareScan = (day: string) => () => sql`select count(*), count(distinct user_id) from public.events_raw where ${onDay(day)}`;
    // The nightly run that computes `day` (its "today" is the next day), after a run of the day before.
    const nightly = (day: string) => async () => {
      await sql`update analytics.etl_nightly_state set last_today = ${day}::date`;
      const runs = await sql<{ status: string }[]>`select status from analytics.run_nightly_etl(${day}::date + 1)`;
      if (runs.some((x) => x.status !== "succeeded")) throw new Error(`nightly: ${runs.map((x) => x.status).join(", ")}`);
      return runs.length;
    };
    const jobTimes = async (day: string) => {
      const rows = await sql<{ job_name: string; s: number }[]>`select distinct on (job_name) job_name,
        extract(epoch from finished_at - started_at)::float8 as s from public.etl_job_runs
        where target_date = ${day} and job_name <> 'pipeline' order by job_name, id desc`;
      return rows.map((r) => `${r.job_name} ${r.s.toFixed(2)}s`).join(", ");
    };
    const rows: BenchRow[] = [];
    const reuse = opts.args["etl-reuse"] === true;
    const countDay = async (day: string) => (await sql<{ n: number }[]>`select count(*)::int as n from public.events_raw where ${onDay(day)}`)[0].n;
    const [savedState] = await sql<{ last_today: string | null }[]>`select last_today::text from analytics.etl_nightly_state`;
    try {
      let n: number;
      let bg: number;
      if (reuse) {
        n = await countDay(ALONE_DAY);
        if (n === 0 || (await countDay(DAY)) !== n) throw new Error("--etl-reuse: no earlier load to reuse (run with --etl-keep first)");
        bg = (await sql<{ n: number }[]>`select count(*)::int as n from public.events_raw
          where event_timestamp >= ${MONTH_START}::timestamptz + interval '2 months' and event_timestamp < ${DAY}::timestamptz`)[0].n;
        progress(`etl: --etl-reuse: ${n.toLocaleString("en-US")} events on each measured day, ${bg.toLocaleString("en-US")} background events`);
      } else {
        await cleanup(sql);
        for (const d of [ALONE_DAY, DAY]) await sql`select analytics.create_events_partition(${d}::date)`;
        // The measured day: two generated days, only the second loaded, so the day has the lifecycles
        // that started the day before (steady state) and holds about --etl-events events. In the
        // D-day state it is loaded after the days before it, as its events would arrive.
        n = await load(sql, 2, events, ALONE_DAY, 2027, ALONE_DAY, true);
        const before = new Date(Date.parse(`${DAY}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
        bg = await load(sql, days - 1, bgEvents, before, 2028);
        if ((await load(sql, 2, events, DAY, 2027, DAY)) !== n) throw new Error("the two copies of the measured day differ");
        for (const p of PARTITIONS) await sql.unsafe(`analyze public.${p}`);
      }
      progress("etl: warm-up nightly runs (first runs fill the activity tables and summarize BRIN ranges)");
      for (const d of [ALONE_DAY, DAY]) progress(`etl: warm-up ${d}: ${(await timed(nightly(d))).seconds.toFixed(1)} s`);

      type Measured = { seconds: number; cpu: number };
      // The day's first computation, as the real nightly run does it: its (user, day) activity pairs
      // are not recorded yet (its users' first-seen days are, as for returning users). Measured on
      // the 30-day state's last day, which no computed day follows (as yesterday in production).
      const firstComputation = async (day: string): Promise<Measured> => {
        await sql`delete from analytics.user_daily_activity where activity_date = ${day}::date`;
        const cpu0 = backendCpuSeconds(pid);
        const { seconds } = await timed(nightly(day));
        return { seconds, cpu: backendCpuSeconds(pid) - cpu0 };
      };
      const r: { scan1: Measured; etl1: Measured; scanN: Measured; etlN: Measured; firstN: Measured }[] = [];
      for (let i = 1; i <= rounds; i++) {
        const scan1 = await warm(pid, bareScan(ALONE_DAY));
        const etl1 = await warm(pid, nightly(ALONE_DAY));
        const scanN = await warm(pid, bareScan(DAY));
        const etlN = await warm(pid, nightly(DAY));
        const firstN = await firstComputation(DAY);
        r.push({ scan1, etl1, scanN, etlN, firstN });
        progress(`etl: round ${i}/${rounds}: 1 day: scan ${scan1.seconds.toFixed(3)} s, nightly ${etl1.seconds.toFixed(2)} s ` +
          `(${(etl1.seconds / scan1.seconds).toFixed(2)}x; CPU ${(etl1.cpu / scan1.cpu).toFixed(2)}x); ${days} days: scan ` +
          `${scanN.seconds.toFixed(3)} s, nightly ${etlN.seconds.toFixed(2)} s (ratio ${(etlN.seconds / etl1.seconds).toFixed(2)}), ` +
          `first computation ${firstN.seconds.toFixed(2)} s (${(firstN.seconds / scanN.seconds).toFixed(2)}x its scan)`);
      }
      const perRound = (f: (x: (typeof r)[number]) => number) => r.map(f).map((x) => x.toFixed(2)).join(" ");
      const cpuRatio = (f: (x: (typeof r)[number]) => number) => `backend CPU ${median(r.map(f)).toFixed(2)}x (rounds: ${perRound(f)})`;
      const of = `median of ${rounds} rounds`;
      rows.push({ suite: "etl", case: "bare scan, 1 day loaded", n, unit: "events", seconds: median(r.map((x) => x.scan1.seconds)), extra: `count(*), count(distinct user_id) of the day; ${of}` });
      rows.push({
        suite: "etl", case: "nightly, 1 day loaded", n, unit: "events", seconds: median(r.map((x) => x.etl1.seconds)), baseline: "bare scan, 1 day loaded",
        extra: `${median(r.map((x) => x.etl1.seconds / x.scan1.seconds)).toFixed(2)}x bare scan within a round ` +
          `(${verdict(median(r.map((x) => x.etl1.seconds / x.scan1.seconds)), "<=", 6, "x")}; rounds: ` +
          `${perRound((x) => x.etl1.seconds / x.scan1.seconds)}); ${cpuRatio((x) => x.etl1.cpu / x.scan1.cpu)}; ${await jobTimes(ALONE_DAY)}`,
      });
      rows.push({ suite: "etl", case: `bare scan, ${days} days loaded`, n, unit: "events", seconds: median(r.map((x) => x.scanN.seconds)), extra: `${(n + bg).toLocaleString("en-US")} rows in the partition; ${of}` });
      rows.push({
        suite: "etl", case: `nightly, ${days} days loaded`, n, unit: "events", seconds: median(r.map((x) => x.etlN.seconds)), baseline: "nightly, 1 day loaded",
        extra: `ratio ${median(r.map((x) => x.etlN.seconds / x.etl1.seconds)).toFixed(2)} to 1 day within a round ` +
          `(${verdict(median(r.map((x) => x.etlN.seconds / x.etl1.seconds)), "<=", 1.3)}; rounds: ` +
          `${perRound((x) => x.etlN.seconds / x.etl1.seconds)}); ${cpuRatio((x) => x.etlN.cpu / x.etl1.cpu)}; ` +
          `${median(r.map((x) => x.etlN.seconds / x.scanN.seconds)).toFixed(2)}x its bare scan; background days ${bgEvents.toLocaleString("en-US")} events each; ${await jobTimes(DAY)}`,
      });
      rows.push({
        suite: "etl", case: `nightly, ${days} days loaded, first computation`, n, unit: "events", seconds: median(r.map((x) => x.firstN.seconds)),
        baseline: `bare scan, ${days} days loaded`,
        extra: `${median(r.map((x) => x.firstN.seconds / x.scanN.seconds)).toFixed(2)}x its bare scan within a round (rounds: ` +
          `${perRound((x) => x.firstN.seconds / x.scanN.seconds)}); ${cpuRatio((x) => x.firstN.cpu / x.scanN.cpu)}; ` +
          "the day's activity pairs recorded anew, as a new day's nightly does",
      });

      // Late events: every day of the 30-day state computed first (untimed), then `--etl-late`
      // events of a different generation (new users, payments, calls, orders) spread over those
      // days arrive, and the next nightly run takes them in.
      const first = new Date(Date.parse(`${DAY}T00:00:00Z`) - (days - 1) * 86_400_000).toISOString().slice(0, 10);
      progress(`etl: computing ${first} .. ${DAY} before the late events (untimed)`);
      await sql`update analytics.etl_nightly_state set last_today = ${DAY}::date`;
      await sql`select * from analytics.rebuild_metrics(${first}::date, ${DAY}::date, ${DAY}::date + 1)`;
      const late = [...generateDays({ days, eventsPerDay: Math.max(1, Math.round(lateEvents / days)), seed: 2029, endDate: DAY })]
        .flatMap((x) => x.events);
      // What a nightly run reran: the days it ran, and how many days each job ran on.
      const lateNightly = async (events: GeneratedEvent[]) => {
        await copyEvents(sql, events);
        const [{ since }] = await sql<{ since: Date }[]>`select clock_timestamp() as since`;
        const run = await timed(nightly(DAY));
        const jobs = await sql<{ job_name: string; n: number }[]>`select job_name, count(*)::int as n from public.etl_job_runs
          where started_at >= ${since} group by job_name order by job_name`;
        const days = jobs.find((j) => j.job_name === "pipeline")?.n ?? 0;
        const reran = jobs.filter((j) => j.job_name !== "pipeline").map((j) => `${j.job_name} ${j.n}`).join(", ");
        return { seconds: run.seconds, reran: `it ran ${days} day(s); jobs, by days run: ${reran}` };
      };
      const lateRun = await lateNightly(late);
      const plainRun = await timed(nightly(DAY));
      progress(`etl: nightly after ${late.length.toLocaleString("en-US")} late events: ${lateRun.seconds.toFixed(2)} s; then a plain nightly: ${plainRun.seconds.toFixed(2)} s`);
      // Late payment outcomes only, as a provider's webhooks arriving late: the days they touch
      // rerun the payments job alone (analytics.etl_jobs_reading), their links and rates.
      const outcomes = [...generateDays({ days, eventsPerDay: Math.max(1, Math.round(lateEvents / days)), seed: 2030, endDate: DAY })]
        .flatMap((x) => x.events).filter((e) => PAYMENT_OUTCOMES.includes(e.event_type));
      const outcomesRun = await lateNightly(outcomes);
      progress(`etl: nightly after ${outcomes.length.toLocaleString("en-US")} late payment outcomes: ${outcomesRun.seconds.toFixed(2)} s`);
      rows.push({
        suite: "etl", case: `nightly after ${late.length.toLocaleString("en-US")} late events over ${days} days`, n: late.length, unit: "late events",
        seconds: lateRun.seconds, baseline: `plain nightly, ${days} days computed`,
        extra: `${(lateRun.seconds / plainRun.seconds).toFixed(2)}x a plain nightly of the same state; ${lateRun.reran}`,
      });
      rows.push({
        suite: "etl", case: `nightly after ${outcomes.length.toLocaleString("en-US")} late payment outcomes over ${days} days`, n: outcomes.length,
        unit: "late events", seconds: outcomesRun.seconds, baseline: `plain nightly, ${days} days computed`,
        extra: `${(outcomesRun.seconds / plainRun.seconds).toFixed(2)}x a plain nightly of the same state; ${outcomesRun.reran}`,
      });
      rows.push({ suite: "etl", case: `plain nightly, ${days} days computed`, n, unit: "events", seconds: plainRun.seconds, extra: "right after the late run, nothing new" });
    } finally {
      await sql`update analytics.etl_nightly_state set last_today = ${savedState?.last_today ?? null}::date`;
      if (opts.args["etl-keep"] === true || reuse) progress(`etl: --etl-keep: the loaded days stay in ${PARTITIONS.join(", ")}`);
      else await cleanup(sql);
      await sql.end();
    }
    return rows;
  },
};
export default suite;

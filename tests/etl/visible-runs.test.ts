// ETL runs visible while they run: a day's `running` rows are committed before its work and seen
// from another session; a catch-up's progress shows in `ops status`; a run killed with
// pg_terminate_backend leaves stale rows that health reports and that are then recorded as failed,
// and the next nightly run redoes what the killed one did not finish.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "../helpers/db.ts";
import { pauseCronJobs, waitFor } from "../helpers/health.ts";
import { ops } from "../helpers/ops.ts";

const sql = connect();
let TODAY: string; // the catch-up's "today": 40 local days ago, within raw retention
let DAYS: string[]; // the three days it computes
let resumeCron: () => Promise<void>;
let savedState: { last_today: string | null; last_scheduled_today: string | null; user_initiated_types: string[] };

type Run = { job_name: string; status: string; backend_pid: number; error: string | null };
const runsOf = (day: string) =>
  sql<Run[]>`select job_name, status, backend_pid, error from public.etl_job_runs where target_date = ${day}::date order by id`;
const runningCount = async (day: string) => (await runsOf(day)).filter((r) => r.status === "running").length;

/** Holds the fulfillment job's lock for a day in an open transaction: a run of that day waits in its work. */
async function blockDay(day: string) {
  const blocker = await sql.reserve();
  await blocker`begin`;
  await blocker`select pg_advisory_xact_lock(hashtext('analytics.etl:fulfillment'), ${day}::date - date '2000-01-01')`;
  return async () => {
    await blocker`rollback`;
    blocker.release();
  };
}

async function cleanup() {
  await sql`delete from public.etl_job_runs where target_date = any(${DAYS}::date[]) or status = 'running'`;
  await sql`delete from analytics.etl_nightly_runs where local_today = ${TODAY}::date`;
}

beforeAll(async () => {
  // The schedule and the alerts job would race the runs this suite drives and inspects.
  resumeCron = await pauseCronJobs(sql, ["analytics-nightly-etl", "analytics-health-alerts"]);
  [{ today: TODAY }] = await sql<{ today: string }[]>`select (analytics.reporting_today() - 40)::text as today`;
  DAYS = (await sql<{ d: string }[]>`select (${TODAY}::date - g)::text as d from generate_series(3, 1, -1) as g`).map((r) => r.d);
  [savedState] = await sql<typeof savedState[]>`
    select last_today::text, last_scheduled_today::text, user_initiated_types from analytics.etl_nightly_state`;
  // The catch-up computes exactly DAYS: nothing else is asked for, the last run was 3 days before.
  await sql`delete from analytics.etl_late_day_marks where metric_date < ${TODAY}::date`;
  await sql`delete from analytics.etl_recompute_requests where metric_date < ${TODAY}::date`;
  await sql`update analytics.etl_nightly_state set last_today = ${DAYS[0]}::date, user_initiated_types = analytics.user_initiated_event_types()`;
  await cleanup();
});
afterAll(async () => {
  await cleanup();
  await sql`update analytics.etl_nightly_state set last_today = ${savedState.last_today}::date,
    last_scheduled_today = ${savedState.last_scheduled_today}::date, user_initiated_types = ${savedState.user_initiated_types}`;
  await resumeCron();
  await sql.end();
});

describe("a day's run", () => {
  it("commits a running row per job before its work: another session sees them while it runs", async () => {
    const release = await blockDay(DAYS[0]);
    const runner = connect({ max: 1 });
    const [{ pid }] = await runner<{ pid: number }[]>`select pg_backend_pid() as pid`;
    // execute(): sent now (postgres.js queries are lazy), awaited once the day is unblocked.
    const call = runner<{ p_status: string }[]>`call analytics.run_etl_day(${DAYS[0]}::date, null, null, null)`.execute();

    await waitFor(async () => (await runningCount(DAYS[0])) === 6, "six running rows");
    const running = await runsOf(DAYS[0]);
    expect(running.map((r) => r.job_name).sort()).toEqual(["calls", "cohort_retention", "content", "engagement", "fulfillment", "payments"]);
    expect(running.every((r) => r.backend_pid === pid)).toBe(true);
    const seen = await sql`select job_name, session_alive, stale from analytics.etl_running_jobs() where target_date = ${DAYS[0]}::date`;
    expect(seen).toHaveLength(6);
    expect(seen.every((r) => r.session_alive && !r.stale)).toBe(true);
    const status = ops("status").stdout.split("Running ETL jobs")[1].split("\n\n")[0];
    expect(status).toMatch(new RegExp(`fulfillment\\s+${DAYS[0]}\\s+\\S+\\s+${pid}\\s+true\\s+false`));

    await release();
    expect((await call)[0].p_status).toBe("succeeded");
    const done = await runsOf(DAYS[0]);
    expect(done.map((r) => r.status)).toEqual(Array(7).fill("succeeded")); // six jobs and the pipeline
    await runner.end();
  });
});

describe("a nightly catch-up", () => {
  it("shows its progress while it runs; killed, it is stale, then failed, and the next run redoes it", async () => {
    const release = await blockDay(DAYS[1]);
    const runner = connect({ max: 1 });
    const [{ pid }] = await runner<{ pid: number }[]>`select pg_backend_pid() as pid`;
    const call = runner`call analytics.run_nightly_etl_in_steps(${TODAY}::date)`.catch((err: Error) => err);

    // The first day is committed, the second waits in its work with its running rows visible.
    await waitFor(async () => (await runningCount(DAYS[1])) === 6, "the second day running");
    const [run] = await sql`select status, days::text[] as days, days_done, current_day::text from analytics.etl_nightly_runs where backend_pid = ${pid}`;
    expect(run).toEqual({ status: "running", days: DAYS, days_done: 1, current_day: DAYS[1] });
    const nightly = ops("status").stdout.split("Nightly runs (latest 5)")[1].split("\n\n")[0];
    expect(nightly).toMatch(new RegExp(`${TODAY}\\s+running\\s+1 of 3\\s+${DAYS[1]}\\s+.*alive`));

    await sql`select pg_terminate_backend(${pid})`;
    expect(await call).toBeInstanceOf(Error);
    await release();
    await runner.end({ timeout: 0 }).catch(() => {});

    const stale = await sql`select session_alive, stale from analytics.etl_running_jobs() where target_date = ${DAYS[1]}::date`;
    expect(stale).toHaveLength(6);
    expect(stale.every((r) => !r.session_alive && r.stale)).toBe(true);
    const [{ reasons }] = await sql<{ reasons: string[] }[]>`select analytics.health_report() -> 'reasons' as reasons`;
    expect(reasons).toContain("6 ETL job run(s) stale: the session is gone or it has run for over 06:00:00");

    // What the alerts job does every 5 minutes: finished rows are always written.
    const [{ failed }] = await sql<{ failed: number }[]>`select analytics.fail_abandoned_etl_runs() as failed`;
    expect(failed).toBe(6);
    expect((await runsOf(DAYS[1])).every((r) => r.status === "failed" && /^abandoned: its session \(pid \d+\)/.test(r.error ?? ""))).toBe(true);
    const [killed] = await sql`select status, error from analytics.etl_nightly_runs where backend_pid = ${pid}`;
    expect(killed.status).toBe("failed");
    expect(killed.error).toMatch(/^abandoned after 1 of 3 days/);

    // The killed run consumed nothing: the next one computes the same days, all of them.
    await sql`call analytics.run_nightly_etl_in_steps(${TODAY}::date)`;
    const [again] = await sql`select status, days::text[] as days, days_done from analytics.etl_nightly_runs
      where local_today = ${TODAY}::date order by run_id desc limit 1`;
    expect(again).toEqual({ status: "succeeded", days: DAYS, days_done: 3 });
    for (const d of DAYS) {
      const latest = await sql`select distinct on (job_name) job_name, status from public.etl_job_runs
        where target_date = ${d}::date order by job_name, id desc`;
      expect(latest.map((r) => r.status), d).toEqual(Array(7).fill("succeeded"));
    }
  });
});

// What health reads, under a test's control: recent ETL runs, running rows, cron failures, the last
// 8 days of events, late days, and the schedule health judges by (analytics.ops_settings).
import type { Sql } from "./db.ts";

/** The UTC date `offset` days ago, YYYY-MM-DD. */
export const day = (offset: number) => new Date(Date.now() - offset * 86_400_000).toISOString().slice(0, 10);

export async function clearHealthSignals(sql: Sql) {
  await sql`delete from public.etl_job_runs where target_date >= ${day(8)}::date or status = 'running'`;
  await sql`delete from public.events_raw where event_timestamp >= now() - interval '8 days'`;
  await sql`delete from cron.job_run_details where status = 'failed'`;
  await sql`delete from analytics.etl_late_day_marks where marked_at < now() - interval '26 hours'`;
}

/** When the nightly run starts (UTC time of day) and how long health waits after it. */
export async function setHealthSchedule(sql: Sql, runAt: string, grace: string) {
  await sql`update analytics.ops_settings set nightly_run_at = ${runAt}::time, nightly_grace = ${grace}::interval`;
}

export async function resetOpsSettings(sql: Sql) {
  await sql`update analytics.ops_settings set nightly_run_at = default, nightly_grace = default, stale_run_after = default,
    alert_webhook_url = null, alerts_silenced_until = null, alerts_silence_reason = null`;
}

/** Pauses pg_cron jobs by name for a test that drives their work itself; returns the resume. */
export async function pauseCronJobs(sql: Sql, names: string[]): Promise<() => Promise<void>> {
  await sql`select cron.alter_job(jobid, active := false) from cron.job where jobname = any(${names})`;
  return async () => {
    await sql`select cron.alter_job(jobid, active := true) from cron.job where jobname = any(${names})`;
  };
}

/** Polls `check` until it holds (every 100 ms, at most `timeoutMs`). */
export async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// Shared test plumbing for the ETL suites: loading events, running the pipeline, reading metric rows.
import type { GeneratedEvent } from "../../lib/generator/index.ts";
import { copyEvents } from "../../lib/generator/index.ts";
import type { Sql } from "../helpers/db.ts";

export const METRIC_TABLES = [
  "metrics_daily_fulfillment", "metrics_daily_payments", "metrics_daily_calls",
  "metrics_daily_engagement", "metrics_daily_content",
] as const;

export async function loadEvents(sql: Sql, events: GeneratedEvent[]): Promise<void> {
  await copyEvents(sql, events);
}

export async function runPipeline(sql: Sql, day: string): Promise<string> {
  const [{ status }] = await sql<{ status: string }[]>`select analytics.run_daily_etl_pipeline(${day}::date) as status`;
  return status;
}

/** Makes the next nightly run for `today` compute its yesterday without catching up on the days
 * since another test's run (the state keeps the latest "today" any run computed up to). */
export async function alignNightly(sql: Sql, today: string): Promise<void> {
  await sql`update analytics.etl_nightly_state set last_today = ${today}::date - 1`;
}

/** Metric rows of one table and day as plain JSON (dates as YYYY-MM-DD), without computed_at and
 * api_row (the row's fields again, as the metrics API serves them: compared through the fields). */
export async function metricRows(sql: Sql, table: string, day: string): Promise<Record<string, unknown>[]> {
  const dateColumn = table === "metrics_cohort_retention" ? "cohort_date + retention_day" : "metric_date";
  const rows = await sql.unsafe<{ r: Record<string, unknown> }[]>(
    `select to_jsonb(m) - 'computed_at' - 'api_row' as r from public.${table} m where ${dateColumn} = $1::date`, [day]);
  return rows.map((x) => x.r);
}

/** Removes everything a suite wrote for its days and events. */
export async function cleanupDays(sql: Sql, days: string[], eventIds: string[]): Promise<void> {
  await sql`delete from public.events_raw where event_id = any(${eventIds}::uuid[])`;
  for (const table of METRIC_TABLES) await sql.unsafe(`delete from public.${table} where metric_date = any($1::date[])`, [days]);
  await sql`delete from public.metrics_cohort_retention where cohort_date = any(${days}::date[]) or cohort_date + retention_day = any(${days}::date[])`;
  await sql`delete from public.etl_job_runs where target_date = any(${days}::date[])`;
  await sql`delete from analytics.etl_late_day_marks where metric_date = any(${days}::date[])`;
  await sql`delete from analytics.user_daily_activity where activity_date = any(${days}::date[])`;
  await sql`delete from analytics.user_first_seen where first_seen_date = any(${days}::date[])`;
  await sql`delete from analytics.etl_activity_changes where activity_date = any(${days}::date[])`;
  await sql`delete from analytics.etl_share_links where target_day = any(${days}::date[]) or source_day = any(${days}::date[])`;
  await sql`delete from analytics.etl_opt_out_links where target_day = any(${days}::date[]) or source_day = any(${days}::date[])`;
  await sql`delete from analytics.etl_share_same_day where metric_date = any(${days}::date[])`;
  await sql`delete from analytics.etl_recompute_requests where metric_date = any(${days}::date[])`;
  await sql`delete from analytics.etl_days where metric_date = any(${days}::date[])`;
}

/**
 * Keeps raw retention (ops_settings.raw_retention_days) long enough for a suite whose days are fixed
 * dates: the nightly run computes only days wholly within it, and those days fall out of the
 * default 90 as the calendar moves on. Returns the restore, for afterAll.
 */
export async function keepRawRetentionFrom(sql: Sql, firstDay: string): Promise<() => Promise<void>> {
  // Two days of margin: local days start before their UTC day east of UTC.
  const days = Math.ceil((Date.now() - Date.parse(`${firstDay}T00:00:00Z`)) / 86_400_000) + 2;
  if (days > 730) throw new Error(`${firstDay} is more than 730 days ago, past the longest raw retention: move the suite's days`);
  const [{ kept }] = await sql<{ kept: number }[]>`select raw_retention_days as kept from analytics.ops_settings`;
  await sql`update analytics.ops_settings set raw_retention_days = ${Math.max(kept, days)}`;
  return async () => {
    await sql`update analytics.ops_settings set raw_retention_days = ${kept}`;
  };
}

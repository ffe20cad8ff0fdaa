// Shared plumbing of the KPI v2 tests (nightly equals rebuild): a window of local days in a
// reporting time zone, computed day by day by the nightly run, with late events arriving in
// between, and every row of every metrics table compared.
import type { GeneratedEvent } from "../../lib/generator/index.ts";
import type { Sql } from "../helpers/db.ts";
import { expectSameRows } from "./compare.ts";
import {
  addDays, expectedCalls, expectedCohorts, expectedContent, expectedEngagement, expectedFulfillment, expectedPayments,
} from "./expected-kpis.ts";
import type { KpiOptions } from "./expected-kpis.ts";
import { loadEvents, metricRows } from "./fixtures.ts";

export const TABLE_KEYS: Record<string, string[]> = {
  metrics_daily_fulfillment: ["service_code", "reader_id"],
  metrics_daily_payments: ["provider", "country_code", "currency"],
  metrics_daily_calls: ["service_code", "provider"],
  metrics_daily_engagement: ["metric_date"],
  metrics_daily_content: ["metric_date"],
  metrics_cohort_retention: ["cohort_date", "retention_day"],
};

export function eachDay(first: string, last: string): string[] {
  const days: string[] = [];
  for (let d = first; d <= last; d = addDays(d, 1)) days.push(d);
  return days;
}

/** Removes every event and every piece of ETL state of the window (and a month before it, which
 * its WAU/MAU would read), so the window holds exactly the test's events. */
export async function cleanWindow(sql: Sql, days: string[]): Promise<void> {
  const from = addDays(days[0], -35);
  const to = addDays(days.at(-1)!, 2);
  await sql`delete from public.events_raw where event_timestamp >= ${from}::date - 1 and event_timestamp < ${to}::date + 1`;
  for (const t of ["metrics_daily_fulfillment", "metrics_daily_payments", "metrics_daily_calls", "metrics_daily_engagement", "metrics_daily_content"]) {
    await sql`delete from ${sql("public." + t)} where metric_date between ${from} and ${to}`;
  }
  await sql`delete from public.metrics_cohort_retention where cohort_date between ${from} and ${to} or cohort_date + retention_day between ${from} and ${to}`;
  await sql`delete from public.etl_job_runs where target_date between ${from} and ${to}`;
  await sql`delete from analytics.etl_late_day_marks where metric_date between ${from} and ${to}`;
  await sql`delete from analytics.etl_recompute_requests where metric_date between ${from} and ${to}`;
  await sql`delete from analytics.etl_days where metric_date between ${from} and ${to}`;
  await sql`delete from analytics.user_daily_activity where activity_date between ${from} and ${to}`;
  await sql`delete from analytics.user_first_seen where first_seen_date between ${from} and ${to}`;
  await sql`delete from analytics.etl_activity_changes where activity_date between ${from} and ${to}`;
  await sql`delete from analytics.etl_share_links where target_day between ${from} and ${to} or source_day between ${from} and ${to}`;
  await sql`delete from analytics.etl_opt_out_links where target_day between ${from} and ${to} or source_day between ${from} and ${to}`;
  await sql`delete from analytics.etl_share_same_day where metric_date between ${from} and ${to}`;
}

/** Sets the reporting time zone; the recomputation it asks for is the test's own business. */
export async function useTimeZone(sql: Sql, zone: string): Promise<void> {
  const [{ r }] = await sql<{ r: { days_to_recompute: number } }[]>`select analytics.set_reporting_time_zone(${zone}) as r`;
  if (r.days_to_recompute > 0) await sql`delete from analytics.etl_recompute_requests where reason = 'time_zone'`;
}

export async function nightly(sql: Sql, today: string): Promise<{ d: string; status: string }[]> {
  return sql<{ d: string; status: string }[]>`select metric_date::text as d, status from analytics.run_nightly_etl(${today}::date)`;
}

/**
 * Plays the window: `arrivals` maps a day to the events that arrive right after that day's nightly
 * run (late events for earlier days); everything else is there from the start. Every day is
 * computed by the nightly run of the next day, and the run after the last day is repeated once the
 * last arrivals are in.
 */
export async function playWindow(sql: Sql, days: string[], onTime: GeneratedEvent[], arrivals: Map<string, GeneratedEvent[]>) {
  await sql`update analytics.etl_nightly_state set last_today = ${days[0]}::date`;
  await loadEvents(sql, onTime);
  for (const day of days) {
    for (const r of await nightly(sql, addDays(day, 1))) if (r.status !== "succeeded") throw new Error(`nightly ${r.d}: ${r.status}`);
    const late = arrivals.get(day);
    if (late?.length) await loadEvents(sql, late);
  }
  for (const r of await nightly(sql, addDays(days.at(-1)!, 1))) if (r.status !== "succeeded") throw new Error(`nightly ${r.d}: ${r.status}`);
}

export type Snapshot = Map<string, Record<string, unknown>[]>;

export async function snapshot(sql: Sql, days: string[]): Promise<Snapshot> {
  const out: Snapshot = new Map();
  for (const table of Object.keys(TABLE_KEYS)) for (const day of days) out.set(`${table} ${day}`, await metricRows(sql, table, day));
  return out;
}

/** Every row and field of every table and day equals the independent expectation. */
export function expectRowsAsExpected(snap: Snapshot, events: GeneratedEvent[], days: string[], opts: KpiOptions) {
  const expected: Record<string, (day: string) => Record<string, unknown>[]> = {
    metrics_daily_fulfillment: (d) => expectedFulfillment(events, d, opts),
    metrics_daily_payments: (d) => expectedPayments(events, d, opts),
    metrics_daily_calls: (d) => expectedCalls(events, d, opts),
    metrics_daily_engagement: (d) => expectedEngagement(events, d, opts),
    metrics_daily_content: (d) => expectedContent(events, d, opts),
    metrics_cohort_retention: (d) => expectedCohorts(events, d, { ...opts, computedDays: days }),
  };
  for (const [table, keys] of Object.entries(TABLE_KEYS)) {
    for (const day of days) expectSameRows(snap.get(`${table} ${day}`)!, expected[table](day), keys, `${table} ${day}`);
  }
}

export function expectSameSnapshots(actual: Snapshot, expected: Snapshot) {
  for (const [key, rows] of expected) {
    const table = key.split(" ")[0];
    expectSameRows(actual.get(key)!, rows, TABLE_KEYS[table], `${key} (rebuild vs nightly)`);
  }
}

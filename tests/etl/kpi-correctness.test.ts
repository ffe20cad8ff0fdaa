// KPI correctness: a few days of generated lifecycles plus hand-crafted edge cases go through the
// real pipeline, and every row and field of every metric table is compared with an independent
// TypeScript computation from the same events (expected-kpis.ts).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateEvents } from "../../lib/generator/index.ts";
import type { GeneratedEvent } from "../../lib/generator/index.ts";
import { connect } from "../helpers/db.ts";
import { expectSameRows } from "./compare.ts";
import { EDGE, edgeCaseEvents } from "./edge-cases.ts";
import {
  expectedCalls, expectedCohorts, expectedContent, expectedEngagement, expectedFulfillment, expectedPayments,
} from "./expected-kpis.ts";
import { cleanupDays, loadEvents, metricRows, runPipeline } from "./fixtures.ts";

const sql = connect();
const GENERATED_DAYS = ["2026-10-05", "2026-10-06", "2026-10-07", "2026-10-08"];
/** Every day with events, in order: 09-09 and 10-01 only carry edge-case activity. */
const COMPUTED_DAYS = ["2026-09-09", "2026-10-01", ...GENERATED_DAYS];
let events: GeneratedEvent[] = [];

beforeAll(async () => {
  events = [...generateEvents({ days: 4, eventsPerDay: 1500, seed: 20261005, endDate: "2026-10-08" }), ...edgeCaseEvents()];
  await cleanupDays(sql, COMPUTED_DAYS, events.map((e) => e.event_id));
  await loadEvents(sql, events);
  for (const day of COMPUTED_DAYS) expect(await runPipeline(sql, day)).toBe("succeeded");
});

afterAll(async () => {
  await cleanupDays(sql, COMPUTED_DAYS, events.map((e) => e.event_id));
  await sql.end();
});

const row = (rows: Record<string, unknown>[], match: Record<string, unknown>) =>
  rows.find((r) => Object.entries(match).every(([k, v]) => r[k] === v));

describe("KPI rows equal an independent computation from the events", () => {
  it.each(GENERATED_DAYS)("fulfillment %s (attribution, totals, loops, time-to-X)", async (day) => {
    expectSameRows(await metricRows(sql, "metrics_daily_fulfillment", day), expectedFulfillment(events, day), ["service_code", "reader_id"], day);
  });
  it.each(GENERATED_DAYS)("payments %s (per-currency totals)", async (day) => {
    expectSameRows(await metricRows(sql, "metrics_daily_payments", day), expectedPayments(events, day), ["provider", "country_code", "currency"], day);
  });
  it.each(GENERATED_DAYS)("calls %s (grand total)", async (day) => {
    expectSameRows(await metricRows(sql, "metrics_daily_calls", day), expectedCalls(events, day), ["service_code", "provider"], day);
  });
  it.each(GENERATED_DAYS)("engagement %s (DAU/WAU/MAU windows, funnels)", async (day) => {
    expectSameRows(await metricRows(sql, "metrics_daily_engagement", day), expectedEngagement(events, day), ["metric_date"], day);
  });
  it.each(GENERATED_DAYS)("content %s (coverage, approval latency)", async (day) => {
    expectSameRows(await metricRows(sql, "metrics_daily_content", day), expectedContent(events, day), ["metric_date"], day);
  });
  it.each(COMPUTED_DAYS)("cohort retention rows observed on %s", async (day) => {
    expectSameRows(await metricRows(sql, "metrics_cohort_retention", day), expectedCohorts(events, day), ["cohort_date", "retention_day"], day);
  });
});

describe("hand-checked edge cases", () => {
  it("attributes a reassigned cross-midnight order to the reader at each event's time", async () => {
    const before = await metricRows(sql, "metrics_daily_fulfillment", "2026-10-06");
    expect(row(before, { service_code: EDGE.service, reader_id: EDGE.readerA })).toMatchObject({ orders_assigned: 1, ttf_response_avg_s: 5400 });
    const rows = await metricRows(sql, "metrics_daily_fulfillment", "2026-10-07");
    expect(row(rows, { service_code: EDGE.service, reader_id: EDGE.readerB })).toMatchObject({
      orders_created: 0, orders_assigned: 1, approvals: 1, rejections: 2, orders_completed: 1,
      approval_rate: 1 / 3, rejection_loop_rate: 1, ttf_response_avg_s: 10800, ttf_delivery_avg_s: 36000,
    });
    expect(row(rows, { service_code: EDGE.service, reader_id: EDGE.readerB })!.ttf_approval_avg_s).toBeCloseTo(3600.25, 9);
    expect(row(rows, { service_code: EDGE.service, reader_id: EDGE.readerA })).toMatchObject({
      orders_assigned: 1, rejections: 1, approval_rate: 0, rejection_loop_rate: 0, ttf_response_avg_s: 600,
    });
    // The service's all-readers row (the never-assigned order lives only in such rows). Of its three
    // orders decided on 10-07 only the reassigned one looped: the rejection stamped before the stray
    // order's creation on 10-07 is not part of its history (the rate would be 2/3 if it were).
    expect(row(rows, { service_code: EDGE.service, reader_id: null })).toMatchObject({
      orders_created: 3, orders_cancelled: 1, rejections: 4, rejection_loop_rate: 1 / 3,
    });
    expect(rows.filter((r) => r.service_code === EDGE.service).length).toBe(3);
  });

  it("counts is_fallback only when JSON true, attributes a later refund to the success's day, and a refund-only day has negative revenue and null rates", async () => {
    const d6 = await metricRows(sql, "metrics_daily_payments", "2026-10-06");
    // The 10-06 success refunded on 10-07 counts in 10-06's refund rate (the denominator's day); the
    // retried payment's success answers its second attempt only (3 of 4 attempts have a success).
    expect(row(d6, { provider: EDGE.payProvider, currency: "JPY" })).toMatchObject({
      attempts: 4, fallback_attempts: 2, fallback_rate: 0.5, successes: 2, avg_transaction_cents: 5000, success_rate: 0.5, refund_rate: 0.5,
    });
    const d7 = await metricRows(sql, "metrics_daily_payments", "2026-10-07");
    const jpy = d7.filter((r) => r.currency === "JPY");
    expect(jpy.length).toBe(2);
    expect(row(jpy, { provider: null })).toMatchObject({ refunds: 1, successes: 0, revenue_cents: -5000, refund_rate: null, success_rate: null, avg_transaction_cents: null });
  });

  it("answers a repeated denominator only by the outcome before the next one, a tie in favour of the denominator", async () => {
    const calls = row(await metricRows(sql, "metrics_daily_calls", "2026-10-05"), { provider: EDGE.callProvider });
    // Starts: restart 2 (1 answered), reconnect 1, tie 1, orphan 1 (after its answer); answers:
    // restart 1 (ended, recorded), reconnect 2 (dropped, then ended), tie 1 (ended, recorded), orphan 1.
    expect(calls).toMatchObject({ started: 5, started_answered: 3, answered: 5, answered_completed: 3, answered_dropped: 1, answered_recorded: 2 });
    const pays = row(await metricRows(sql, "metrics_daily_payments", "2026-10-05"), { provider: EDGE.payProvider, currency: "JPY" });
    // Attempts: tie 1, twice 2, refund-first 1, all answered; successes 4, refunded: tie, twice's second.
    expect(pays).toMatchObject({ attempts: 4, attempts_succeeded: 4, successes: 4, successes_refunded: 2 });
  });

  it("keeps every rate a share in [0, 1]", async () => {
    const [{ outside }] = await sql<{ outside: number }[]>`
      select (select count(*) from public.metrics_daily_payments where metric_date = any(${COMPUTED_DAYS}::date[])
                and (success_rate not between 0 and 1 or refund_rate not between 0 and 1 or fallback_rate not between 0 and 1))
           + (select count(*) from public.metrics_daily_calls where metric_date = any(${COMPUTED_DAYS}::date[])
                and (answer_rate not between 0 and 1 or completion_rate not between 0 and 1 or drop_rate not between 0 and 1
                     or recording_rate not between 0 and 1))
           + (select count(*) from public.metrics_daily_engagement where metric_date = any(${COMPUTED_DAYS}::date[])
                and (notification_ctr not between 0 and 1 or opt_out_rate not between 0 and 1))::int as outside`;
    expect(outside).toBe(0);
  });

  it("gives null, not 0, for rates with a zero denominator", async () => {
    const rows = await metricRows(sql, "metrics_daily_calls", "2026-10-07");
    expect(row(rows, { provider: EDGE.callProvider })).toMatchObject({
      started: 1, answered: 0, answer_rate: 0, completion_rate: null, drop_rate: null, recording_rate: null, duration_avg_s: null,
    });
  });

  it("counts a user active 29 days earlier in MAU but not WAU, and day-N retention of a returning user", async () => {
    const [e8] = await metricRows(sql, "metrics_daily_engagement", "2026-10-08");
    const expected = expectedEngagement(events, "2026-10-08")[0];
    expect(e8.mau).toBe(expected.mau);
    expect(e8.mau).toBeGreaterThan(e8.wau as number);
    const cohort = await metricRows(sql, "metrics_cohort_retention", "2026-10-08");
    expect(row(cohort, { cohort_date: "2026-10-01" })).toMatchObject({ retention_day: 7, cohort_size: 2, retained_users: 1, retention_rate: 0.5 });
    expect(row(cohort, { cohort_date: "2026-09-09" })).toMatchObject({ retention_day: 29, cohort_size: 1, retained_users: 0, retention_rate: 0 });
  });

  it("does not count a user whose events show nothing they did (a notification sent and delivered, a moderation decision)", async () => {
    const [{ days, cohorts }] = await sql<{ days: number; cohorts: number }[]>`
      select (select count(*)::int from analytics.user_daily_activity where user_id = ${EDGE.passiveUser}) as days,
             (select count(*)::int from analytics.user_first_seen where user_id = ${EDGE.passiveUser}) as cohorts`;
    expect({ days, cohorts }).toEqual({ days: 0, cohorts: 0 });
    const [e7] = await metricRows(sql, "metrics_daily_engagement", "2026-10-07");
    expect(e7.dau).toBe(expectedEngagement(events, "2026-10-07")[0].dau);
  });

  it("writes exactly one engagement and one content row per computed day, even without events", async () => {
    for (const table of ["metrics_daily_engagement", "metrics_daily_content"]) {
      const [{ n }] = await sql.unsafe<{ n: number }[]>(`select count(*)::int as n from public.${table} where metric_date = any($1::date[])`, [COMPUTED_DAYS]);
      expect(n).toBe(COMPUTED_DAYS.length);
    }
    expect(await metricRows(sql, "metrics_daily_calls", "2026-10-01")).toEqual([]);
  });
});

// Metrics rows seeded straight into the tables (no ETL): fixed days in June 2011 that no other
// suite uses, plus reader rows relative to today (the 30-day window) under ids and a service
// code of this suite only. Each row is written in contract field order, so tests compare the
// API's rows to these objects field by field.
import type { Sql } from "../helpers/db.ts";

export const D1 = "2011-06-14";
export const D2 = "2011-06-15";
export const READER_1 = "a1000000-0000-4000-8000-000000000001";
export const READER_2 = "a1000000-0000-4000-8000-000000000002";
export const E2E_SERVICE = "e2e-metrics";

export function utcDaysAgo(days: number): string {
  const d = new Date();
  d.setUTCHours(0, 0, 0, 0);
  d.setUTCDate(d.getUTCDate() - days);
  return d.toISOString().slice(0, 10);
}

type Row = Record<string, string | number | null>;

const fulfillmentRow = (metric_date: string, service_code: string | null, reader_id: string | null, i: number): Row => ({
  metric_date, service_code, reader_id,
  orders_created: 10 + i, orders_assigned: 9 + i, orders_completed: 8 + i, orders_cancelled: i % 2,
  approvals: 3, rejections: i % 3, approval_rate: 3 / (3 + (i % 3)), rejection_loop_rate: i % 3 === 0 ? null : 0.5,
  ttf_response_avg_s: 60.5 + i, ttf_response_p95_s: 120.25 + i, ttf_delivery_avg_s: 3600 + i,
  ttf_delivery_p95_s: 7200.125, ttf_approval_avg_s: i % 2 ? null : 30, ttf_approval_p95_s: i % 2 ? null : 45.75,
});

/** Fulfillment in June 2011, in API order (date, service_code, reader_id; nulls last). */
export const FULFILLMENT: Row[] = ([
  [D1, "tarot", READER_1], [D1, null, null],
  [D2, "healing", READER_1], [D2, "healing", null], [D2, "tarot", READER_1], [D2, "tarot", READER_2],
  [D2, "tarot", null], [D2, null, READER_1], [D2, null, READER_2], [D2, null, null],
] as const).map(([d, s, r], i) => fulfillmentRow(d, s, r, i));

/** Reader rows around the 30-day window (days ago, service, reader), and a total row of the same service. */
export const RECENT_FULFILLMENT: Row[] = ([
  [31, E2E_SERVICE, READER_1], [30, E2E_SERVICE, READER_1], [0, E2E_SERVICE, READER_1], [0, null, READER_1],
  [30, E2E_SERVICE, READER_2], [0, E2E_SERVICE, READER_2], [0, E2E_SERVICE, null],
] as const).map(([ago, s, r], i) => fulfillmentRow(utcDaysAgo(ago), s, r, 20 + i));

const paymentRow = (provider: string | null, country_code: string | null, currency: string, i: number): Row => ({
  metric_date: D2, provider, country_code, currency,
  attempts: 10 * i, fallback_attempts: i, successes: 8 * i, failures: 2 * i, refunds: i,
  success_rate: 0.8, fallback_rate: 0.1, refund_rate: 0.125,
  gross_cents: 1000 * i, refunded_cents: 3000, revenue_cents: 1000 * i - 3000, avg_transaction_cents: 1000 / 3,
  attempts_succeeded: 8 * i, successes_refunded: i,
});

/** Payments on D2 in API order: detail rows, then the per-currency totals. */
export const PAYMENTS: Row[] = [
  paymentRow("paypal", "GB", "GBP", 1), paymentRow("stripe", "CA", "CAD", 2), paymentRow("stripe", "US", "USD", 3),
  paymentRow(null, null, "CAD", 2), paymentRow(null, null, "GBP", 1), paymentRow(null, null, "USD", 3),
];

const callRow = (service_code: string | null, provider: string | null, i: number): Row => ({
  metric_date: D2, service_code, provider, started: 10 + i, answered: 8 + i, completed: 6 + i, dropped: 2, recorded: i,
  answer_rate: 0.8, completion_rate: 0.75, drop_rate: 0.25, recording_rate: i === 0 ? null : 0.1,
  duration_avg_s: 300.5, duration_p95_s: 900,
  started_answered: 8 + i, answered_completed: 6 + i, answered_dropped: 2, answered_recorded: i,
});

/** Calls on D2 in API order; a provider name that needs CSV quoting. */
export const CALLS: Row[] = [
  callRow("healing", "twilio", 0), callRow("tarot", 'acme, "voice"', 1), callRow("tarot", "twilio", 2), callRow(null, null, 3),
];

export const ENGAGEMENT: Row[] = [D1, D2].map((metric_date, i) => ({
  metric_date, dau: 100 + i, wau: 500 + i, mau: 2000 + i, notifications_sent: 50, notifications_delivered: 40,
  notifications_opened: 10, notifications_opted_out: 1, notification_ctr: 0.25, opt_out_rate: 0.02,
  listens: i, listen_through_avg_pct: i === 0 ? null : 73.5,
  delivered_opened: 10, users_sent: 50, users_sent_opted_out: 1,
}));

export const CONTENT: Row[] = [D1, D2].map((metric_date, i) => ({
  metric_date, uploaded: 12, approved: 11 - i, rejected: 1 + i, published: 12 - i, signs_published: 12 - i,
  coverage_rate: (12 - i) / 12, approval_rate: (11 - i) / 12, approval_latency_avg_s: 1800.5, approval_latency_p95_s: i ? null : 3600,
}));

export const COHORTS: Row[] = ([[D1, 0, 5], [D1, 1, 2], [D1, 2, 0], [D2, 0, 4]] as const).map(([cohort_date, day, kept]) => ({
  cohort_date, retention_day: day, cohort_size: cohort_date === D1 ? 5 : 4, retained_users: kept,
  retention_rate: kept / (cohort_date === D1 ? 5 : 4),
}));

/** ETL runs for D2: payments failed then succeeded; calls succeeded. */
const ETL_RUNS = [
  { job_name: "payments", target_date: D2, started_at: "2011-06-16T02:00:00.000000Z", finished_at: "2011-06-16T02:00:01.500000Z", status: "failed", rows_written: null, error: "boom" },
  { job_name: "payments", target_date: D2, started_at: "2011-06-16T03:00:00.000000Z", finished_at: "2011-06-16T03:00:02.000000Z", status: "succeeded", rows_written: 6, error: null },
  { job_name: "calls", target_date: D2, started_at: "2011-06-16T02:00:00.250000Z", finished_at: null, status: "running", rows_written: null, error: null },
];

const TABLES = {
  metrics_daily_fulfillment: [...FULFILLMENT, ...RECENT_FULFILLMENT],
  metrics_daily_payments: PAYMENTS,
  metrics_daily_calls: CALLS,
  metrics_daily_engagement: ENGAGEMENT,
  metrics_daily_content: CONTENT,
  metrics_cohort_retention: COHORTS,
};

export async function removeFixtures(sql: Sql) {
  for (const table of Object.keys(TABLES)) {
    const date = table === "metrics_cohort_retention" ? "cohort_date" : "metric_date";
    await sql`delete from ${sql("public." + table)} where ${sql(date)} between '2011-06-01' and '2011-06-30'`;
  }
  await sql`delete from public.metrics_daily_fulfillment
            where reader_id in (${READER_1}, ${READER_2}) or service_code = ${E2E_SERVICE}`;
  await sql`delete from public.etl_job_runs where target_date = ${D2}`;
}

export async function seedFixtures(sql: Sql) {
  await removeFixtures(sql);
  for (const [table, rows] of Object.entries(TABLES)) {
    await sql`insert into ${sql("public." + table)} ${sql(rows as Record<string, unknown>[] as never)}`;
  }
  await sql`insert into public.etl_job_runs ${sql(ETL_RUNS as never)}`;
}

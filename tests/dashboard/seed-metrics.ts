// Deterministic KPI rows for the dashboard's browser tests, written straight into the metrics
// tables (the ETL is tested elsewhere): `days` days ending on `end`, with detail and total rows
// shaped as docs/design.md §8 lays them out, some null rates, cohorts and ETL runs.
import { DEMO_USERS } from "../../stack/keys.ts";
import { addDays } from "../../dashboard/src/format/dates.ts";
import { createRng } from "../../lib/generator/rng.ts";
import type { Sql } from "../helpers/db.ts";

const SEED_READERS = [DEMO_USERS.reader, "00000000-0000-4000-8000-00000000a001", "00000000-0000-4000-8000-00000000a002"];
const SERVICES = ["tarot_reading", "astrology_chart"];
const PAY_PROVIDERS = ["stripe", "paypal"];
const COUNTRIES: [string, string][] = [["DE", "EUR"], ["FR", "EUR"], ["AE", "AED"], ["GB", "GBP"]];
const CALL_PROVIDERS = ["twilio", "vonage"];

const ratio = (n: number, d: number) => (d === 0 ? null : n / d);
type R = Record<string, unknown>;

export async function seedDashboardMetrics(sql: Sql, end: string, days: number, seed = 7): Promise<void> {
  const start = addDays(end, -(days - 1));
  const rand = createRng(seed).next;
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const fulfillment: R[] = [];
  const payments: R[] = [];
  const calls: R[] = [];
  const engagement: R[] = [];
  const content: R[] = [];
  for (let i = 0; i < days; i++) {
    const d = addDays(start, i);
    const trend = 1 + i / days / 2;

    // Fulfillment: (service, reader) detail, then totals over each and both, from the counts.
    const detail: R[] = [];
    for (const s of SERVICES)
      for (const r of SEED_READERS) {
        const created = int(3, 12);
        const approvals = int(0, 6);
        const rejections = approvals === 0 ? 0 : int(0, 2); // some days: no decision → null rate
        detail.push({ service_code: s, reader_id: r, orders_created: created, orders_assigned: created - int(0, 2), orders_completed: int(2, created), orders_cancelled: int(0, 1), approvals, rejections });
      }
    const fTotal = (rows: R[], service: string | null, reader: string | null): R => {
      const sum = (k: string) => rows.reduce((a, r) => a + (r[k] as number), 0);
      const approvals = sum("approvals");
      const rejections = sum("rejections");
      const decided = approvals + rejections;
      return {
        metric_date: d, service_code: service, reader_id: reader,
        orders_created: sum("orders_created"), orders_assigned: sum("orders_assigned"), orders_completed: sum("orders_completed"), orders_cancelled: sum("orders_cancelled"),
        approvals, rejections, approval_rate: ratio(approvals, decided), rejection_loop_rate: decided ? Math.min(1, rejections / decided / 2) : null,
        ttf_response_avg_s: 300 + rand() * 900, ttf_response_p95_s: 1800 + rand() * 3600,
        ttf_delivery_avg_s: 6 * 3600 + rand() * 6 * 3600, ttf_delivery_p95_s: 20 * 3600 + rand() * 10 * 3600,
        ttf_approval_avg_s: decided ? 1200 + rand() * 2400 : null, ttf_approval_p95_s: decided ? 5400 + rand() * 3600 : null,
      };
    };
    for (const row of detail) fulfillment.push(fTotal([row], row.service_code as string, row.reader_id as string));
    for (const s of SERVICES) fulfillment.push(fTotal(detail.filter((r) => r.service_code === s), s, null));
    for (const r of SEED_READERS) fulfillment.push(fTotal(detail.filter((x) => x.reader_id === r), null, r));
    fulfillment.push(fTotal(detail, null, null));

    // Payments: detail per (provider, country, currency) and one total per currency.
    const pay: R[] = [];
    for (const p of PAY_PROVIDERS)
      for (const [c, cur] of COUNTRIES) {
        const attempts = Math.round(int(8, 30) * trend);
        const successes = Math.round(attempts * (0.82 + rand() * 0.15));
        const refunds = int(0, Math.max(0, Math.floor(successes / 8)));
        const gross = successes * int(1500, 4500);
        const refunded = refunds * 2500;
        pay.push({ provider: p, country_code: c, currency: cur, attempts, fallback_attempts: p === "paypal" ? int(0, 3) : 0, successes, failures: attempts - successes, refunds, gross_cents: gross, refunded_cents: refunded });
      }
    const pRow = (rows: R[], provider: string | null, country: string | null, currency: string): R => {
      const sum = (k: string) => rows.reduce((a, r) => a + (r[k] as number), 0);
      const attempts = sum("attempts");
      const successes = sum("successes");
      const gross = sum("gross_cents");
      const refunded = sum("refunded_cents");
      return {
        metric_date: d, provider, country_code: country, currency, attempts, fallback_attempts: sum("fallback_attempts"), successes, failures: sum("failures"), refunds: sum("refunds"),
        success_rate: ratio(successes, attempts), fallback_rate: ratio(sum("fallback_attempts"), attempts), refund_rate: ratio(sum("refunds"), successes),
        attempts_succeeded: successes, successes_refunded: sum("refunds"),
        gross_cents: gross, refunded_cents: refunded, revenue_cents: gross - refunded, avg_transaction_cents: ratio(gross, successes),
      };
    };
    for (const r of pay) payments.push(pRow([r], r.provider as string, r.country_code as string, r.currency as string));
    for (const cur of [...new Set(COUNTRIES.map(([, c]) => c))]) payments.push(pRow(pay.filter((r) => r.currency === cur), null, null, cur));

    // Calls: detail per (service, provider) and a grand total.
    const cl: R[] = [];
    for (const s of SERVICES)
      for (const p of CALL_PROVIDERS) {
        const started = int(10, 40);
        const answered = Math.round(started * (0.7 + rand() * 0.25));
        const dropped = int(0, Math.ceil(answered / 10));
        cl.push({ service_code: s, provider: p, started, answered, completed: answered - dropped, dropped, recorded: Math.round((answered - dropped) * 0.6) });
      }
    const cRow = (rows: R[], service: string | null, provider: string | null): R => {
      const sum = (k: string) => rows.reduce((a, r) => a + (r[k] as number), 0);
      const answered = sum("answered");
      return {
        metric_date: d, service_code: service, provider, started: sum("started"), answered, completed: sum("completed"), dropped: sum("dropped"), recorded: sum("recorded"),
        answer_rate: ratio(answered, sum("started")), completion_rate: ratio(sum("completed"), answered), drop_rate: ratio(sum("dropped"), answered), recording_rate: ratio(sum("recorded"), answered),
        started_answered: answered, answered_completed: sum("completed"), answered_dropped: sum("dropped"), answered_recorded: sum("recorded"),
        duration_avg_s: 600 + rand() * 600, duration_p95_s: 1800 + rand() * 1200,
      };
    };
    for (const r of cl) calls.push(cRow([r], r.service_code as string, r.provider as string));
    calls.push(cRow(cl, null, null));

    const dau = Math.round(int(180, 260) * trend);
    const delivered = int(400, 600);
    const sent = delivered + int(5, 30);
    engagement.push({
      metric_date: d, dau, wau: Math.round(dau * 3.1), mau: Math.round(dau * 7.4), notifications_sent: sent, notifications_delivered: delivered,
      notifications_opened: Math.round(delivered * (0.18 + rand() * 0.1)), notifications_opted_out: int(0, 6), notification_ctr: null, opt_out_rate: null,
      listens: int(300, 500), listen_through_avg_pct: 55 + rand() * 30,
    });
    const e = engagement[engagement.length - 1]!;
    e.notification_ctr = ratio(e.notifications_opened as number, delivered);
    e.delivered_opened = e.notifications_opened;
    e.users_sent = Math.round(sent * 0.8);
    e.users_sent_opted_out = e.notifications_opted_out;
    e.opt_out_rate = ratio(e.users_sent_opted_out as number, e.users_sent as number);

    const uploaded = int(10, 14);
    const rejected = int(0, 2);
    const signs = i % 9 === 4 ? 10 : 12;
    content.push({
      metric_date: d, uploaded, approved: uploaded - rejected, rejected, published: signs, signs_published: signs, coverage_rate: signs / 12, approval_rate: ratio(uploaded - rejected, uploaded),
      approval_latency_avg_s: 2400 + rand() * 3600, approval_latency_p95_s: 7200 + rand() * 7200,
    });
  }

  // Cohorts: each day of the range, day-N for every computed day (C + N <= end), N <= 90.
  const cohorts: R[] = [];
  for (let i = 0; i < days; i++) {
    const c = addDays(start, i);
    const size = int(20, 60);
    for (let n = 0; n <= 90 && addDays(c, n) <= end; n++) {
      const retained = n === 0 ? size : Math.round(size * (0.55 * Math.exp(-n / 12) + 0.08) * (0.9 + rand() * 0.2));
      cohorts.push({ cohort_date: c, retention_day: n, cohort_size: size, retained_users: retained, retention_rate: retained / size });
    }
  }

  const jobs = ["fulfillment", "payments", "calls", "engagement", "content", "cohort_retention"];
  const etl: R[] = [];
  for (let back = 0; back < 3; back++) {
    const d = addDays(end, -back);
    const ranAt = `${addDays(d, 1)}T02:00:00Z`;
    for (const [j, job] of jobs.entries()) {
      const started = new Date(Date.parse(ranAt) + j * 2000).toISOString();
      const finished = new Date(Date.parse(started) + 800 + j * 100).toISOString();
      const failed = back === 2 && job === "payments";
      etl.push({ job_name: job, target_date: d, started_at: started, finished_at: finished, status: failed ? "failed" : "succeeded", rows_written: failed ? 0 : 10 + j, error: failed ? "canceling statement due to statement timeout" : null });
    }
  }

  await sql.begin(async (tx) => {
    await deleteRange(tx, start, end);
    await tx`insert into public.metrics_daily_fulfillment ${tx(fulfillment)}`;
    await tx`insert into public.metrics_daily_payments ${tx(payments)}`;
    await tx`insert into public.metrics_daily_calls ${tx(calls)}`;
    await tx`insert into public.metrics_daily_engagement ${tx(engagement)}`;
    await tx`insert into public.metrics_daily_content ${tx(content)}`;
    for (let i = 0; i < cohorts.length; i += 1000) await tx`insert into public.metrics_cohort_retention ${tx(cohorts.slice(i, i + 1000))}`;
    await tx`insert into public.etl_job_runs ${tx(etl)}`;
  });
}

type Tx = Pick<Sql, "unsafe">;

async function deleteRange(tx: Tx, start: string, end: string): Promise<void> {
  for (const [table, column] of [
    ["metrics_daily_fulfillment", "metric_date"],
    ["metrics_daily_payments", "metric_date"],
    ["metrics_daily_calls", "metric_date"],
    ["metrics_daily_engagement", "metric_date"],
    ["metrics_daily_content", "metric_date"],
    ["metrics_cohort_retention", "cohort_date"],
    ["etl_job_runs", "target_date"],
  ])
    await tx.unsafe(`delete from public.${table} where ${column} between $1 and $2`, [start, end]);
}

/** Removes what seedDashboardMetrics wrote, so other test files start from their own data. */
export async function clearDashboardMetrics(sql: Sql, end: string, days: number): Promise<void> {
  await sql.begin((tx) => deleteRange(tx as unknown as Tx, addDays(end, -(days - 1)), end));
}

// A BI tool's SQL connection, end to end: 90 days of generated events go through the real nightly
// pipeline; the test gives bi_reader a password, logs in over TCP with the `postgres` driver (as
// Metabase or Grafana would), runs the example queries of docs/bi.md (docs/bi-queries/*.sql) and
// checks them against the metrics API over real HTTP for the same range: revenue per day and
// currency equals the API's per-currency total rows, and the weekly success rate recomputed from
// numerators and denominators equals the API's daily attempts and successes recombined. The
// numerators the views derive (duration_total_s, listen_percent_total) equal sums over the events.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateEvents } from "../../lib/generator/index.ts";
import { mintRoleToken } from "../../stack/keys.ts";
import { cleanupDays, loadEvents, runPipeline } from "../etl/fixtures.ts";
import { connect } from "../helpers/db.ts";
import { getMetrics } from "../metrics/client.ts";
import { biQuery, connectAsBiReader } from "./bi-login.ts";

const START = "2013-03-01";
const END = "2013-05-29"; // 90 days, inclusive; no other suite uses 2013
const DAY_MS = 86_400_000;
const DAYS = Array.from({ length: 90 }, (_, i) => new Date(Date.parse(`${START}T00:00:00Z`) + i * DAY_MS).toISOString().slice(0, 10));
const PASSWORD = randomBytes(18).toString("hex"); // hex: safe inside the alter role literal

const sql = connect();
let bi: ReturnType<typeof connectAsBiReader>;
let eventIds: string[] = [];
type Row = Record<string, unknown>;
let apiTotals: Row[] = [];

beforeAll(async () => {
  const events = generateEvents({ days: DAYS.length, eventsPerDay: 80, seed: 20130301, endDate: END });
  eventIds = events.map((e) => e.event_id);
  await cleanupDays(sql, DAYS, eventIds);
  await loadEvents(sql, events);
  for (const day of DAYS) expect(await runPipeline(sql, day)).toBe("succeeded");

  await sql.unsafe(`alter role bi_reader password '${PASSWORD}'`);
  bi = connectAsBiReader(PASSWORD);

  const res = await getMetrics(await mintRoleToken("admin"), `payments?start_date=${START}&end_date=${END}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  apiTotals = (res.body.data as Row[]).filter((r) => r.provider === null && r.country_code === null);
}, 600_000);

afterAll(async () => {
  await bi?.end();
  await sql.unsafe("alter role bi_reader password null"); // the migration's state: nobody can log in
  await cleanupDays(sql, DAYS, eventIds);
  await sql.end();
});

/** Monday of the ISO week of a YYYY-MM-DD day. */
function weekStart(day: string): string {
  const t = Date.parse(`${day}T00:00:00Z`);
  return new Date(t - ((new Date(t).getUTCDay() + 6) % 7) * DAY_MS).toISOString().slice(0, 10);
}

describe("bi_reader over TCP", () => {
  it("logs in with the password set by the operator; its sessions are read-only by default", async () => {
    const [row] = await bi`select current_user as who, current_setting('default_transaction_read_only') as ro`;
    expect(row).toEqual({ who: "bi_reader", ro: "on" });
  });

  it("revenue by currency over 90 days equals the API's per-currency total rows", async () => {
    const rows = await bi.unsafe(biQuery("revenue_by_currency_daily"), [START, END]);
    const expected = apiTotals.map((r) => ({
      metric_date: r.metric_date, currency: r.currency, revenue_cents: r.revenue_cents, gross_cents: r.gross_cents,
      refunded_cents: r.refunded_cents,
    }));
    expect([...rows]).toEqual(expected);
    expect(new Set(rows.map((r) => r.metric_date)).size).toBeGreaterThan(80);
    expect(new Set(rows.map((r) => r.currency)).size).toBeGreaterThan(1);
  });

  it("a naive sum over the table counts every payment twice; the totals view does not", async () => {
    const [naive] = await bi`select sum(revenue_cents)::bigint as cents from public.metrics_daily_payments
                             where metric_date between ${START} and ${END} and currency = 'USD'`;
    const [view] = await bi`select sum(revenue_cents)::bigint as cents from public.metrics_payments_currency_totals
                            where metric_date between ${START} and ${END} and currency = 'USD'`;
    const api = apiTotals.filter((r) => r.currency === "USD").reduce((s, r) => s + (r.revenue_cents as number), 0);
    expect(view.cents).toBe(api);
    expect(naive.cents).toBe(2 * api); // generated payments all carry provider and country: detail rows = totals
  });

  it("the weekly success rate from numerators/denominators equals the API's daily rows recombined", async () => {
    const rows = await bi.unsafe(biQuery("payment_success_rate_weekly"), [START, END]);
    const weeks = new Map<string, { days: Set<string>; attempts: number; succeeded: number }>();
    for (const r of apiTotals) {
      // Each daily rate the API returns is its own numerator over its denominator.
      expect(r.success_rate).toBe((r.attempts as number) > 0 ? (r.attempts_succeeded as number) / (r.attempts as number) : null);
      const w = weeks.get(weekStart(r.metric_date as string)) ?? { days: new Set<string>(), attempts: 0, succeeded: 0 };
      w.days.add(r.metric_date as string);
      w.attempts += r.attempts as number;
      w.succeeded += r.attempts_succeeded as number;
      weeks.set(weekStart(r.metric_date as string), w);
    }
    const expected = [...weeks].sort(([a], [b]) => (a < b ? -1 : 1)).map(([week, w]) => ({
      week_start: week, days_with_data: w.days.size, attempts: w.attempts, attempts_succeeded: w.succeeded,
      success_rate: w.attempts > 0 ? w.succeeded / w.attempts : null,
    }));
    expect([...rows]).toEqual(expected);
    expect(rows.length).toBeGreaterThanOrEqual(13);
  });
});

describe("numerators the views add", () => {
  // Per-day sums over the raw events (as the superuser): the truth each derived column must equal.
  it.each([
    ["duration_total_s", "metrics_calls_totals", "completed", "call_ended", "duration_seconds"],
    ["listen_percent_total", "metrics_engagement_daily", "listens", "horoscope_listened", "(metadata ->> 'listen_percent')::int"],
  ])("%s of %s is exactly the day's sum over the events", async (column, view, count, eventType, value) => {
    const truth = await sql.unsafe(
      `select to_char((event_timestamp at time zone 'UTC')::date, 'YYYY-MM-DD') as day, sum(${value})::bigint as total
       from public.events_raw where event_type = $1 and event_id = any($2::uuid[]) group by 1 order by 1`, [eventType, eventIds]);
    const rows = await bi.unsafe(
      `select metric_date as day, ${column} as total from public.${view}
       where metric_date between $1 and $2 and ${count} > 0 order by 1`, [START, END]);
    expect(truth.length).toBeGreaterThan(80);
    expect([...rows]).toEqual([...truth]);
  });
});

describe("bi_reader cannot reach anything else", () => {
  it("is refused raw events, the analytics schema and its functions", async () => {
    await expect(bi`select count(*) from public.events_raw`).rejects.toMatchObject({ code: "42501" });
    await expect(bi`select count(*) from analytics.user_daily_activity`).rejects.toMatchObject({ code: "42501" });
    await expect(bi`select analytics.run_daily_etl_pipeline(${START}::date)`).rejects.toMatchObject({ code: "42501" });
  });

  it("cannot write: refused by the read-only default, and by privileges in a read-write transaction", async () => {
    await expect(bi`delete from public.metrics_daily_payments`).rejects.toMatchObject({ code: "25006" });
    await expect(bi.begin("read write", (tx) => tx`delete from public.metrics_daily_payments`)).rejects.toMatchObject({ code: "42501" });
    await expect(bi.begin("read write", (tx) => tx`insert into public.etl_job_runs (job_name, target_date) values ('x', ${START})`))
      .rejects.toMatchObject({ code: "42501" });
    const [{ n }] = await sql`select count(*)::int as n from public.metrics_daily_payments where metric_date between ${START} and ${END}`;
    expect(n).toBeGreaterThan(0);
  });
});

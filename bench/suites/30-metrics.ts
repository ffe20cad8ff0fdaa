// Metrics API latency: two years of daily metrics rows (realistic cardinalities), then p50/p95
// over a few hundred sequential requests for 90- and 366-day ranges of fulfillment and payments,
// next to the internal `_ping` route (same function path: auth, validation, transaction with the
// caller's role and claims, ETag; `select 1` instead of a metrics query; never cached) as the
// baseline. Each range is measured cold (the table's data version is bumped before every request
// by a no-op write statement, outside the timing, so every request is a response-cache miss) and
// warm (repeated identical requests: cache hits); the `x-cache` header is checked on every request.
// `--requests N` (default 300) per case. The loaded rows are removed afterwards.
import postgres from "postgres";
import { mintRoleToken } from "../../stack/keys.ts";
import { LOCAL_DB_URL, LOCAL_FUNCTIONS_URL } from "../../stack/local-settings.ts";
import type { BenchRow, BenchSuite } from "../lib.ts";
import { intArg, progress } from "../lib.ts";
import { percentile } from "../../lib/stats.ts";

const FIRST_DAY = "2013-01-01"; // two years no other suite or test uses
const LAST_DAY = "2014-12-31";
const SERVICES = ["tarot", "healing", "astrology"];
const READERS = 8;
// provider × (country, currency): 3 × 5 detail rows, 4 per-currency totals per day.
const PROVIDERS = ["stripe", "square", "paypal"];
const COUNTRIES: [string, string][] = [["US", "USD"], ["CA", "CAD"], ["GB", "GBP"], ["DE", "EUR"], ["FR", "EUR"]];

async function load(sql: postgres.Sql) {
  await unload(sql);
  const readers = Array.from({ length: READERS }, (_, i) => `b0000000-0000-4000-8000-${String(i + 1).padStart(12, "0")}`);
  // (service | all) × (reader | all): 4 × 9 = 36 rows a day.
  await sql`
    insert into public.metrics_daily_fulfillment (metric_date, service_code, reader_id, orders_created, orders_assigned,
      orders_completed, orders_cancelled, approvals, rejections, approval_rate, rejection_loop_rate, ttf_response_avg_s,
      ttf_response_p95_s, ttf_delivery_avg_s, ttf_delivery_p95_s, ttf_approval_avg_s, ttf_approval_p95_s)
    select d::date, s, r::uuid, 20, 18, 15, 1, 12, 3, 0.8, 0.1, 300.5, 900.25, 7200.5, 14000.75, 600, 1500.5
    from generate_series(${FIRST_DAY}::date, ${LAST_DAY}::date, interval '1 day') as d,
      unnest(${[...SERVICES, null] as never}::text[]) as s, unnest(${[...readers, null] as never}::text[]) as r`;
  await sql`
    insert into public.metrics_daily_payments (metric_date, provider, country_code, currency, attempts, fallback_attempts,
      successes, failures, refunds, success_rate, fallback_rate, refund_rate, gross_cents, refunded_cents, revenue_cents,
      avg_transaction_cents)
    select d::date, p, c.country, c.currency, 100, 5, 90, 10, 2, 0.9, 0.05, 0.0222, 450000, 10000, 440000, 5000.5
    from generate_series(${FIRST_DAY}::date, ${LAST_DAY}::date, interval '1 day') as d,
      unnest(${PROVIDERS as never}::text[]) as p,
      (select * from unnest(${COUNTRIES.map((c) => c[0]) as never}::text[], ${COUNTRIES.map((c) => c[1]) as never}::text[])
        as x (country, currency)) as c
    union all
    select d::date, null, null, cur, 300, 15, 270, 30, 6, 0.9, 0.05, 0.0222, 1350000, 30000, 1320000, 5000.5
    from generate_series(${FIRST_DAY}::date, ${LAST_DAY}::date, interval '1 day') as d,
      (select distinct unnest(${COUNTRIES.map((c) => c[1]) as never}::text[]) as cur) as cu`;
  await sql`analyze public.metrics_daily_fulfillment, public.metrics_daily_payments`;
  const [{ f }] = await sql`select count(*)::int as f from public.metrics_daily_fulfillment where metric_date between ${FIRST_DAY} and ${LAST_DAY}`;
  const [{ p }] = await sql`select count(*)::int as p from public.metrics_daily_payments where metric_date between ${FIRST_DAY} and ${LAST_DAY}`;
  return { fulfillment: f as number, payments: p as number };
}

async function unload(sql: postgres.Sql) {
  await sql`delete from public.metrics_daily_fulfillment where metric_date between ${FIRST_DAY} and ${LAST_DAY}`;
  await sql`delete from public.metrics_daily_payments where metric_date between ${FIRST_DAY} and ${LAST_DAY}`;
}

type Cache = "cold" | "warm" | "bypass";
const EXPECTED_X_CACHE: Record<Cache, string> = { cold: "miss", warm: "hit", bypass: "bypass" };

async function measure(
  sql: postgres.Sql, caseName: string, path: string, token: string, requests: number, cache: Cache,
): Promise<BenchRow> {
  const url = `${LOCAL_FUNCTIONS_URL}/metrics/${path}`;
  const headers = { Authorization: `Bearer ${token}` };
  const table = `metrics_daily_${path.split("?")[0]}`;
  let rows = 0;
  let bytes = 0;
  const once = async () => {
    // A statement-level trigger counts every write statement, even one that changes no row.
    if (cache === "cold") await sql`delete from public.${sql(table)} where false`;
    const t0 = performance.now();
    const res = await fetch(url, { headers });
    const body = await res.text();
    const ms = performance.now() - t0;
    if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status} ${body.slice(0, 200)}`);
    const xCache = res.headers.get("x-cache");
    if (xCache !== EXPECTED_X_CACHE[cache]) throw new Error(`${caseName}: x-cache ${xCache}, expected ${EXPECTED_X_CACHE[cache]}`);
    rows = JSON.parse(body).meta.row_count;
    bytes = body.length;
    return ms;
  };
  for (let i = 0; i < 10; i++) await once(); // warm-up: pool, JIT, Postgres buffers (and the response cache when warm)
  const times: number[] = [];
  for (let i = 0; i < requests; i++) times.push(await once());
  const sorted = [...times].sort((a, b) => a - b);
  return {
    suite: "metrics",
    case: caseName,
    n: requests,
    unit: "requests",
    seconds: times.reduce((a, b) => a + b, 0) / 1000,
    extra: `p50 ${percentile(sorted, 0.5).toFixed(1)} ms, p95 ${percentile(sorted, 0.95).toFixed(1)} ms, ${rows} rows, ${(bytes / 1024).toFixed(0)} KiB`,
    baseline: caseName === "_ping (select 1)" ? undefined : "_ping (select 1)",
  };
}

const suite: BenchSuite = {
  name: "metrics",
  options: { requests: { type: "string" } },
  async run(opts) {
    const requests = intArg(opts, "requests", 300);
    const sql = postgres(LOCAL_DB_URL, { onnotice: () => {}, max: 1 });
    try {
      progress("metrics: loading two years of fulfillment and payments rows");
      const loaded = await load(sql);
      progress(`metrics: ${loaded.fulfillment} fulfillment rows, ${loaded.payments} payments rows`);
      const admin = await mintRoleToken("admin");
      const range = (days: number) => {
        const end = new Date(Date.parse(`${LAST_DAY}T00:00:00Z`));
        const start = new Date(end.getTime() - (days - 1) * 86_400_000);
        return `start_date=${start.toISOString().slice(0, 10)}&end_date=${LAST_DAY}`;
      };
      const cases: [string, string, Cache][] = [["_ping (select 1)", "_ping", "bypass"]];
      for (const [name, path] of [
        ["fulfillment 90 days", `fulfillment?${range(90)}`],
        ["fulfillment 366 days", `fulfillment?${range(366)}`],
        ["payments 90 days", `payments?${range(90)}`],
        ["payments 366 days", `payments?${range(366)}`],
      ]) {
        cases.push([`${name}, cold`, path, "cold"], [`${name}, warm`, path, "warm"]);
      }
      cases.push(
        ["fulfillment 366 days, one service, cold", `fulfillment?${range(366)}&service_code=tarot`, "cold"],
        ["payments 366 days, one currency, cold", `payments?${range(366)}&currency=EUR`, "cold"],
        ["fulfillment 366 days, one reader, cold", `fulfillment?${range(366)}&reader_id=b0000000-0000-4000-8000-000000000001`, "cold"],
      );
      const rows: BenchRow[] = [];
      for (const [name, path, cache] of cases) {
        progress(`metrics: ${name}`);
        rows.push(await measure(sql, name, path, admin, requests, cache));
      }
      return rows;
    } finally {
      await unload(sql);
      await sql.end();
    }
  },
};
export default suite;

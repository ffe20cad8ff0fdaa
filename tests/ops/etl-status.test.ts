// `ops etl` backfills exactly what the pipeline computes day by day; `ops status` shows failures and late days.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "../helpers/db.ts";
import { ops } from "../helpers/ops.ts";

const sql = connect();
const DAYS = ["2026-09-10", "2026-09-11", "2026-09-12"];
const METRICS = ["metrics_daily_fulfillment", "metrics_daily_payments", "metrics_daily_calls", "metrics_daily_engagement", "metrics_daily_content"];
const READER = "00000000-0000-4000-8000-00000000ab01";
const USER = "00000000-0000-4000-8000-00000000ab02";

async function seedEvents() {
  for (const [i, day] of DAYS.entries()) {
    const t = (h: number) => `${day}T${String(h).padStart(2, "0")}:00:00Z`;
    await sql`insert into public.events_raw (event_domain, event_type, event_timestamp, user_id, entity_type, entity_id, service_code, provider, country_code, amount_cents, currency, duration_seconds, metadata) values
      ('orders', 'order_created', ${t(1)}, ${USER}, 'order', ${`ops-o${i}`}, 'tarot', null, null, null, null, null, '{}'),
      ('orders', 'order_assigned', ${t(2)}, ${USER}, 'order', ${`ops-o${i}`}, 'tarot', null, null, null, null, null, ${sql.json({ reader_id: READER })}),
      ('orders', 'order_completed', ${t(5)}, ${USER}, 'order', ${`ops-o${i}`}, 'tarot', null, null, null, null, null, '{}'),
      ('payments', 'payment_attempted', ${t(1)}, ${USER}, 'payment', ${`ops-p${i}`}, null, 'stripe', 'SA', ${1000 * (i + 1)}, 'SAR', null, '{}'),
      ('payments', 'payment_succeeded', ${t(1)}, ${USER}, 'payment', ${`ops-p${i}`}, null, 'stripe', 'SA', ${1000 * (i + 1)}, 'SAR', null, '{}'),
      ('calls', 'call_started', ${t(3)}, ${USER}, 'call', ${`ops-c${i}`}, 'healing', 'twilio', null, null, null, null, '{}'),
      ('calls', 'call_answered', ${t(3)}, ${USER}, 'call', ${`ops-c${i}`}, 'healing', 'twilio', null, null, null, null, '{}'),
      ('calls', 'call_ended', ${t(4)}, ${USER}, 'call', ${`ops-c${i}`}, 'healing', 'twilio', null, null, null, ${600 + i}, '{}')`;
  }
}

async function snapshot() {
  const out: Record<string, unknown[]> = {};
  for (const t of METRICS) {
    const rows = await sql.unsafe(`select to_jsonb(m) - 'computed_at' as row from public.${t} m where metric_date = any($1::date[]) order by 1::text`, [DAYS]);
    out[t] = rows.map((r) => r.row).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  }
  return out;
}

async function cleanup() {
  await sql`delete from public.events_raw where entity_id like 'ops-%'`;
  for (const t of METRICS) await sql.unsafe(`delete from public.${t} where metric_date = any($1::date[])`, [DAYS]);
  await sql`delete from public.etl_job_runs where target_date = any(${DAYS}::date[]) or error = 'ops-status-test'`;
  await sql`delete from analytics.etl_late_day_marks where metric_date = any(${DAYS}::date[])`;
  // The pipeline's user-level tables: other suites count active users over 30-day windows.
  await sql`delete from analytics.user_daily_activity where user_id = ${USER}`;
  await sql`delete from analytics.user_first_seen where user_id = ${USER}`;
  await sql`delete from public.metrics_cohort_retention where cohort_date = any(${DAYS}::date[])`;
}

beforeAll(async () => {
  await cleanup();
  await seedEvents();
});
afterAll(async () => {
  await cleanup();
  await sql.end();
});

describe("ops etl", () => {
  it("backfills a range in date order with progress, equal to the pipeline run day by day", async () => {
    const r = ops("etl", "--from", DAYS[0], "--to", DAYS[2]);
    expect(r.code).toBe(0);
    const progress = [...r.stdout.matchAll(/^\[(\d)\/3\] (\S+) ok/gm)].map((m) => m[2]);
    expect(progress).toEqual(DAYS);
    const viaCli = await snapshot();
    expect(viaCli.metrics_daily_payments.length).toBe(6);

    for (const t of METRICS) await sql.unsafe(`delete from public.${t} where metric_date = any($1::date[])`, [DAYS]);
    for (const day of DAYS) await sql`select analytics.run_daily_etl_pipeline(${day}::date)`;
    expect(await snapshot()).toEqual(viaCli);
  });

  it("a single --date works too", () => {
    const r = ops("etl", "--date", DAYS[1]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\[1\/1\] 2026-09-11 ok/);
  });
});

describe("ops status", () => {
  it("shows a failed job and a pending late day", async () => {
    const recent = new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10);
    await sql`insert into public.etl_job_runs (job_name, target_date, started_at, finished_at, status, rows_written, error)
      values ('payments', ${recent}, now(), now(), 'failed', 0, 'ops-status-test')`;
    // A late event for a day that was computed marks it pending.
    await sql`insert into public.events_raw (event_domain, event_type, event_timestamp, user_id, entity_type, entity_id, service_code)
      values ('orders', 'order_created', ${`${DAYS[0]}T23:00:00Z`}, ${USER}, 'order', 'ops-late', 'tarot')`;
    const r = ops("status");
    expect(r.code).toBe(0);
    const failures = r.stdout.split("Failed jobs, last 7 days")[1].split("\n\n")[0];
    expect(failures).toMatch(new RegExp(`payments\\s+${recent}\\s+failed`));
    expect(failures).toContain("ops-status-test");
    const late = r.stdout.split("Late days waiting")[1].split("\n\n")[0];
    expect(late).toContain(DAYS[0]);
    expect(r.stdout).toMatch(/events_raw_default/);
    expect(r.stdout).toMatch(/metrics_daily_calls\s+\S+/);
    expect(r.stdout).toMatch(/pg_cron jobs/);
  });
});

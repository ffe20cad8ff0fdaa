// Retention purge and partition creation on fabricated old/new data, and the runbook views.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asRole, connect } from "../helpers/db.ts";
import { cleanupDays, runPipeline } from "./fixtures.ts";

const sql = connect();
const DAY_MS = 86_400_000;
const today = new Date(new Date().toISOString().slice(0, 10) + "T00:00:00Z").getTime();
const iso = (ms: number) => new Date(ms).toISOString();
const date = (ms: number) => iso(ms).slice(0, 10);
const monthName = (ms: number) => `events_raw_${iso(ms).slice(0, 7).replace("-", "_")}`;
const monthsFrom = (n: number) => { const d = new Date(today); d.setUTCDate(1); d.setUTCMonth(d.getUTCMonth() + n); return d.getTime(); };
const cutoff = today - 90 * DAY_MS;
const exists = async (table: string) => (await sql`select to_regclass(${"public." + table}) as t`)[0].t !== null;
const created: string[] = [];

// The default raw retention, whatever an earlier suite set (the cutoff above assumes it).
beforeAll(async () => {
  await sql`update analytics.ops_settings set raw_retention_days = 90`;
});

afterAll(async () => {
  await sql`delete from public.events_raw where provider = 'purge-test'`;
  await sql`delete from public.metrics_daily_fulfillment where service_code = 'purge-test'`;
  await sql`delete from public.etl_job_runs where job_name = 'purge-test'`;
  await sql`delete from cron.job_run_details where command = 'purge-test'`;
  for (const t of created) await sql.unsafe(`drop table if exists public.${t}`);
  await sql.end();
});

describe("analytics.purge_expired_data", () => {
  it("drops expired partitions, deletes expired rows at the boundary and in DEFAULT, and ages out metrics, runs and cron history", async () => {
    const oldMonth = monthsFrom(-5);
    await sql`select analytics.create_events_partition(${date(oldMonth)}::date)`;
    await sql`select analytics.create_events_partition(${date(cutoff)}::date)`;
    const ev = (at: number) => ({ id: randomUUID(), at: iso(at) });
    const [inOld, beforeCutoff, afterCutoff, inDefault] = [ev(oldMonth + 3 * DAY_MS), ev(cutoff - DAY_MS), ev(cutoff + DAY_MS), ev(Date.parse("2024-06-01T00:00:00Z"))];
    for (const e of [inOld, beforeCutoff, afterCutoff, inDefault]) {
      await sql`insert into public.events_raw (event_id, event_domain, event_type, event_timestamp, provider)
        values (${e.id}, 'payments', 'payment_failed', ${e.at}, 'purge-test')`;
    }
    const twoYears = new Date(today); twoYears.setUTCFullYear(twoYears.getUTCFullYear() - 2);
    await sql`insert into public.metrics_daily_fulfillment (metric_date, service_code) values
      (${date(twoYears.getTime() - DAY_MS)}, 'purge-test'), (${date(twoYears.getTime() + DAY_MS)}, 'purge-test')`;
    await sql`insert into public.etl_job_runs (job_name, target_date, started_at, status) values
      ('purge-test', '2025-01-01', now() - interval '1 year 1 day', 'succeeded'), ('purge-test', '2025-01-02', now() - interval '1 year' + interval '1 day', 'succeeded')`;
    await sql`insert into cron.job_run_details (jobid, runid, command, status, start_time, end_time) values
      (0, 900000001, 'purge-test', 'succeeded', now() - interval '31 days', now() - interval '31 days'),
      (0, 900000002, 'purge-test', 'succeeded', now() - interval '29 days', now() - interval '29 days')`;

    const [{ result }] = await sql<{ result: Record<string, unknown> }[]>`select analytics.purge_expired_data() as result`;

    expect(result.dropped_partitions).toContain(monthName(oldMonth));
    expect(await exists(monthName(oldMonth))).toBe(false);
    const left = await sql<{ id: string }[]>`select event_id::text as id from public.events_raw where provider = 'purge-test'`;
    expect(left.map((r) => r.id)).toEqual([afterCutoff.id]);
    const metrics = await sql<{ d: string }[]>`select metric_date::text as d from public.metrics_daily_fulfillment where service_code = 'purge-test'`;
    expect(metrics.map((m) => m.d)).toEqual([date(twoYears.getTime() + DAY_MS)]);
    const runs = await sql<{ d: string }[]>`select target_date::text as d from public.etl_job_runs where job_name = 'purge-test'`;
    expect(runs.map((r) => r.d)).toEqual(["2025-01-02"]);
    const cron = await sql<{ runid: number }[]>`select runid::int from cron.job_run_details where command = 'purge-test'`;
    expect(cron.map((c) => c.runid)).toEqual([900000002]);
  });
});

describe("analytics.create_upcoming_events_partitions", () => {
  it("creates the current and next months' partitions idempotently", async () => {
    const names = [0, 1, 2, 3, 4].map((n) => monthName(monthsFrom(n)));
    for (const n of names.slice(3)) if (!(await exists(n))) created.push(n);
    const [{ first }] = await sql<{ first: string[] }[]>`select analytics.create_upcoming_events_partitions(4) as first`;
    expect(first).toEqual(names);
    const [{ again }] = await sql<{ again: string[] }[]>`select analytics.create_upcoming_events_partitions(4) as again`;
    expect(again).toEqual(names);
    for (const n of names) expect(await exists(n)).toBe(true);
  });
});

describe("runbook views", () => {
  const day = date(today - 29 * DAY_MS);
  afterAll(() => cleanupDays(sql, [day], []));

  it("show ETL status, coverage, today's volume and partition sizes to the service role", async () => {
    await cleanupDays(sql, [day], []); // another test's nightly run may have computed it
    expect(await runPipeline(sql, day)).toBe("succeeded");
    const eventId = randomUUID();
    await sql`insert into public.events_raw (event_id, event_domain, event_type, event_timestamp, provider) values (${eventId}, 'moderation', 'content_flagged', now(), 'purge-test')`;
    await asRole(sql, "service_role", { role: "service_role" }, async (tx) => {
      const status = await tx<{ job_name: string; status: string; runs: number }[]>`
        select job_name, status, runs::int from public.etl_status_by_date where target_date = ${day} order by job_name`;
      expect(status.map((s) => s.job_name)).toEqual(["calls", "cohort_retention", "content", "engagement", "fulfillment", "payments", "pipeline"]);
      expect(status.every((s) => s.status === "succeeded" && s.runs === 1)).toBe(true);
      const coverage = await tx<{ d: string; has_engagement: boolean; pipeline_status: string | null }[]>`
        select metric_date::text as d, has_engagement, pipeline_status from public.etl_metrics_coverage order by metric_date`;
      expect(coverage).toHaveLength(30);
      expect([coverage[0].d, coverage.at(-1)!.d]).toEqual([date(today - 30 * DAY_MS), date(today - DAY_MS)]);
      expect(coverage.find((c) => c.d === day)).toMatchObject({ has_engagement: true, pipeline_status: "succeeded" });
      const [moderation] = await tx<{ events: number }[]>`select events::int from public.event_volume_today where event_domain = 'moderation'`;
      expect(moderation.events).toBeGreaterThanOrEqual(1);
      const parts = await tx<{ partition_name: string; total_bytes: number }[]>`select partition_name, total_bytes from public.events_partition_sizes`;
      expect(parts.map((p) => p.partition_name)).toContain("events_raw_default");
      expect(parts.every((p) => p.total_bytes > 0)).toBe(true);
    });
  });

  it("hide catalog-based views from non-admin users and refuse anon", async () => {
    const client = { role: "authenticated", sub: randomUUID(), app_metadata: { role: "client" } };
    const rows = await asRole(sql, "authenticated", client, (tx) => tx`select * from public.events_partition_sizes`);
    expect(rows).toHaveLength(0);
    await expect(asRole(sql, "anon", { role: "anon" }, (tx) => tx`select * from public.etl_status_by_date`)).rejects.toThrow(/permission denied/);
  });
});

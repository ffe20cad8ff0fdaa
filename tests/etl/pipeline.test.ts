// The pipeline's operational guarantees: idempotent re-runs, concurrent runs for one day never
// double data (the second waits on the advisory lock), one failing job does not stop the others,
// late events are picked up by the nightly run, and day scans prune partitions.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateEvents } from "../../lib/generator/index.ts";
import type { GeneratedEvent } from "../../lib/generator/index.ts";
import { asRole, connect } from "../helpers/db.ts";
import { alignNightly, cleanupDays, keepRawRetentionFrom, loadEvents, METRIC_TABLES, metricRows, runPipeline } from "./fixtures.ts";

const sql = connect();
const DAY = "2026-10-15";
const LATE_DAY = "2026-10-16";
const DAYS = ["2026-10-14", DAY, LATE_DAY, "2026-10-17", "2026-10-18", "2026-10-19"];
let events: GeneratedEvent[] = [];
let restoreRetention = async () => {};

beforeAll(async () => {
  restoreRetention = await keepRawRetentionFrom(sql, DAYS[0]);
  events = generateEvents({ days: 2, eventsPerDay: 800, seed: 1015, endDate: LATE_DAY });
  await cleanupDays(sql, DAYS, events.map((e) => e.event_id));
  await loadEvents(sql, events);
  // The load stands for events that arrived on time: not late for any computed day.
  await sql`delete from analytics.etl_late_day_marks where metric_date = any(${DAYS}::date[])`;
});
afterAll(async () => {
  await sql`delete from public.events_raw where provider = 'late-pay'`;
  await cleanupDays(sql, DAYS, events.map((e) => e.event_id));
  await restoreRetention();
  await sql.end();
});

async function snapshot(day: string) {
  const out: Record<string, unknown[]> = {};
  for (const table of [...METRIC_TABLES, "metrics_cohort_retention"]) {
    out[table] = (await metricRows(sql, table, day)).map((r) => JSON.stringify(r)).sort();
  }
  return out;
}

const latestRuns = (day: string) => sql<{ job_name: string; status: string; error: string | null }[]>`
  select distinct on (job_name) job_name, status, error from public.etl_job_runs
  where target_date = ${day} order by job_name, id desc`;

describe("run_daily_etl_pipeline", () => {
  it("is idempotent: a second run leaves identical tables", async () => {
    expect(await runPipeline(sql, DAY)).toBe("succeeded");
    const first = await snapshot(DAY);
    expect(first.metrics_daily_fulfillment.length).toBeGreaterThan(4);
    expect(await runPipeline(sql, DAY)).toBe("succeeded");
    expect(await snapshot(DAY)).toEqual(first);
    const runs = await latestRuns(DAY);
    expect(runs.map((r) => r.job_name).sort()).toEqual(
      ["calls", "cohort_retention", "content", "engagement", "fulfillment", "payments", "pipeline"]);
    expect(runs.every((r) => r.status === "succeeded")).toBe(true);
  });

  it("runs as service_role (what backends and the runbook use)", async () => {
    const status = await asRole(sql, "service_role", { role: "service_role" }, async (tx) =>
      (await tx<{ s: string }[]>`select analytics.run_daily_etl_pipeline(${DAY}::date) as s`)[0].s);
    expect(status).toBe("succeeded");
  });

  it("makes a concurrent run for the same day wait for the first, then gives the same rows as one run", async () => {
    const expected = await snapshot(DAY);
    const a = await sql.reserve();
    const b = connect({ max: 1 });
    try {
      await a`begin`;
      expect((await a`select analytics.run_daily_etl_pipeline(${DAY}::date) as s`)[0].s).toBe("succeeded");
      const second = runPipeline(b, DAY); // blocks on the first job's advisory lock
      let waiting = 0;
      for (let i = 0; i < 50 && waiting === 0; i++) {
        await new Promise((r) => setTimeout(r, 100));
        [{ waiting }] = await sql<{ waiting: number }[]>`
          select count(*)::int as waiting from pg_locks where locktype = 'advisory' and not granted`;
      }
      expect(waiting).toBe(1);
      await a`commit`;
      expect(await second).toBe("succeeded");
    } finally {
      a.release();
      await b.end();
    }
    expect(await snapshot(DAY)).toEqual(expected);
  });

  it("records a failing job as failed, keeps its previous rows, and still runs the others", async () => {
    const before = await snapshot(DAY);
    let runs: { job_name: string; status: string; error: string | null }[] = [];
    let status = "";
    let callsRows: unknown[] = [];
    await sql.begin(async (tx) => {
      // Rolled back below: makes only the calls job's INSERT fail for this day.
      await tx.unsafe(`alter table public.metrics_daily_calls add constraint etl_test_refuse_day check (metric_date <> '${DAY}') not valid`);
      [{ status }] = await tx<{ status: string }[]>`select analytics.run_daily_etl_pipeline(${DAY}::date) as status`;
      runs = await tx<typeof runs>`select distinct on (job_name) job_name, status, error from public.etl_job_runs
        where target_date = ${DAY} order by job_name, id desc`;
      callsRows = (await tx`select 1 from public.metrics_daily_calls where metric_date = ${DAY}`).slice();
      throw new Error("rollback");
    }).catch((e: Error) => { if (e.message !== "rollback") throw e; });
    expect(status).toBe("failed");
    const byJob = Object.fromEntries(runs.map((r) => [r.job_name, r]));
    expect(byJob.calls.status).toBe("failed");
    expect(byJob.calls.error).toContain("etl_test_refuse_day");
    expect(byJob.pipeline.error).toBe("failed jobs: calls");
    for (const job of ["fulfillment", "payments", "engagement", "content", "cohort_retention"]) expect(byJob[job].status).toBe("succeeded");
    expect(callsRows.length).toBe(before.metrics_daily_calls.length);
  });
});

describe("late events and the nightly run", () => {
  it("marks a computed day that receives an event and recomputes it in the next nightly run", async () => {
    expect(await runPipeline(sql, LATE_DAY)).toBe("succeeded");
    expect((await metricRows(sql, "metrics_daily_payments", LATE_DAY)).some((r) => r.currency === "CHF")).toBe(false);
    await sql`insert into public.events_raw (event_domain, event_type, event_timestamp, entity_type, entity_id, provider, country_code, amount_cents, currency)
      values ('payments', 'payment_succeeded', '2026-10-16T12:00:00Z', 'payment', 'late-1', 'late-pay', 'CH', 1200, 'CHF'),
             ('payments', 'payment_succeeded', '2026-10-19T12:00:00Z', 'payment', 'late-2', 'late-pay', 'CH', 1200, 'CHF')`;
    const pending = await sql<{ d: string }[]>`select metric_date::text as d from analytics.etl_pending_days where metric_date = any(${DAYS}::date[])`;
    // 10-19 was never computed: a past day that receives events is computed by the next run that
    // reaches it (the run for 10-18 below does not).
    expect(pending.map((p) => p.d).sort()).toEqual([LATE_DAY, "2026-10-19"]);

    await alignNightly(sql, "2026-10-18");
    const nightly = await sql<{ d: string; status: string }[]>`select metric_date::text as d, status from analytics.run_nightly_etl('2026-10-18')`;
    expect(nightly).toEqual([{ d: LATE_DAY, status: "succeeded" }, { d: "2026-10-17", status: "succeeded" }]);
    const chf = (await metricRows(sql, "metrics_daily_payments", LATE_DAY)).filter((r) => r.currency === "CHF");
    expect(chf).toHaveLength(2);
    expect(chf.find((r) => r.provider === null)).toMatchObject({ successes: 1, gross_cents: 1200 });
    expect((await latestRuns("2026-10-17")).find((r) => r.job_name === "pipeline")?.status).toBe("succeeded");
    const [{ n }] = await sql<{ n: number }[]>`select count(*)::int as n from analytics.etl_pending_days where metric_date = ${LATE_DAY}`;
    expect(n).toBe(0);
  });
});

describe("partition pruning", () => {
  it("scans only the partition of the day, with the run-time parameters the ETL functions use", async () => {
    const next = new Date();
    next.setUTCDate(1);
    next.setUTCMonth(next.getUTCMonth() + 1);
    const month = next.toISOString().slice(0, 7);
    const conn = await sql.reserve();
    try {
      await conn`set plan_cache_mode = force_generic_plan`;
      await conn.unsafe(`prepare etl_day_scan(timestamptz, timestamptz) as
        select count(*) from public.events_raw where event_timestamp >= $1 and event_timestamp < $2 and event_domain = 'payments'`);
      const plan = (await conn.unsafe(`explain (analyze, costs off, timing off, summary off) execute etl_day_scan('${month}-10T00:00:00Z', '${month}-11T00:00:00Z')`))
        .map((r) => Object.values(r)[0]).join("\n");
      await conn.unsafe(`deallocate etl_day_scan`);
      expect(plan).toContain(`events_raw_${month.replace("-", "_")}`);
      expect(plan).toMatch(/Subplans Removed: [1-9]/);
      expect(plan).not.toContain("events_raw_default");
    } finally {
      conn.release();
    }
  });
});

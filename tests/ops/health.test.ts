// GET /functions/v1/health: 503 with reasons when yesterday is missing or a job failed, 200 after a good run.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mintRoleToken } from "../../stack/keys.ts";
import { LOCAL_ANON_KEY, LOCAL_SECRET_KEY } from "../../stack/local-settings.ts";
import { connect } from "../helpers/db.ts";
import { callFunction } from "../helpers/functions.ts";

const sql = connect();
const day = (offset: number) => new Date(Date.now() - offset * 86_400_000).toISOString().slice(0, 10);
const YESTERDAY = day(1);

const health = (token = LOCAL_SECRET_KEY) => callFunction("health", { headers: { authorization: `Bearer ${token}` } });

// This suite owns the signals health reads: recent runs, cron failures and the last 8 days of events.
async function clearRecentRuns() {
  await sql`delete from public.etl_job_runs where target_date >= ${day(8)}::date`;
  await sql`delete from public.events_raw where event_timestamp >= now() - interval '8 days'`;
  await sql`delete from cron.job_run_details where status = 'failed'`;
  await sql`delete from analytics.etl_late_day_marks where marked_at < now() - interval '26 hours'`;
}

beforeAll(clearRecentRuns);
afterAll(async () => {
  await clearRecentRuns();
  await sql.end();
});

describe("health", () => {
  it("is 503 when yesterday has not been computed", async () => {
    const res = await health();
    expect(res.status).toBe(503);
    const body = await res.json();
    expect(body.healthy).toBe(false);
    expect(body.reasons.join("\n")).toContain(`yesterday (${YESTERDAY}) is not computed`);
    expect(body.checks.yesterday.missing_or_failed_jobs).toHaveLength(6);
  });

  it("is 200 after a successful run for yesterday", async () => {
    await sql`select analytics.run_daily_etl_pipeline(${YESTERDAY}::date)`;
    const res = await health(await mintRoleToken("admin"));
    const body = await res.json();
    expect(body.reasons).toEqual([]);
    expect(res.status).toBe(200);
    expect(body.healthy).toBe(true);
  });

  it("is 503 again when a job failed in the last 7 days", async () => {
    await sql`insert into public.etl_job_runs (job_name, target_date, finished_at, status, rows_written, error)
      values ('calls', ${day(3)}, now(), 'failed', 0, 'boom')`;
    const res = await health(await mintRoleToken("superadmin"));
    expect(res.status).toBe(503);
    const body = await res.json();
    expect(body.reasons).toEqual(["1 failed ETL job(s) in the last 7 days"]);
    expect(body.checks.failed_jobs_7d).toEqual([{ job: "calls", date: day(3), error: "boom" }]);
  });

  it("is 503 when ingestion today falls below half the median of the same hours of the last 7 days", async () => {
    await sql`delete from public.etl_job_runs where job_name = 'calls' and error = 'boom'`;
    // 150 events on each of the previous 7 days, one second before this time of day: inside each day's window.
    await sql`insert into public.events_raw (event_domain, event_type, event_timestamp, entity_type, entity_id)
      select 'moderation', 'content_flagged', now() - make_interval(days => d) - interval '1 second', 'post', 'health-' || d || '-' || i
      from generate_series(1, 7) as d, generate_series(1, 150) as i`;
    let body = await (await health()).json();
    expect(body.reasons).toEqual(["ingestion today (0 events) is below half the 7-day median (150)"]);
    expect(body.checks.ingestion).toEqual({ today_so_far: 0, median_same_hours_7d: 150 });

    await sql`insert into public.events_raw (event_domain, event_type, event_timestamp, entity_type, entity_id)
      select 'moderation', 'content_flagged', now() - interval '1 second', 'post', 'health-0-' || i from generate_series(1, 75) as i`;
    const res = await health();
    body = await res.json();
    expect(body.reasons).toEqual([]);
    expect(res.status).toBe(200);
  });

  it("refuses non-admin roles and the anon key", async () => {
    for (const role of ["client", "reader", "monitor"] as const) {
      expect((await health(await mintRoleToken(role))).status, role).toBe(403);
    }
    expect((await health(LOCAL_ANON_KEY)).status).toBe(401);
    expect((await callFunction("health")).status).toBe(401);
  });
});

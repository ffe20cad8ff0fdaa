// GET /functions/v1/health: no false page before the nightly run has had its chance (the latest
// *due* day must be computed: nightly run time plus grace), 503 with reasons once a due day is
// missing or a job failed, running and stale ETL jobs visible, and a summary for monitors.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mintRoleToken } from "../../stack/keys.ts";
import { LOCAL_ANON_KEY, LOCAL_SECRET_KEY } from "../../stack/local-settings.ts";
import { connect } from "../helpers/db.ts";
import { callFunction } from "../helpers/functions.ts";
import { clearHealthSignals, day, resetOpsSettings, setHealthSchedule } from "../helpers/health.ts";

const sql = connect();
const YESTERDAY = day(1);
const JOBS = ["calls", "cohort_retention", "content", "engagement", "fulfillment", "payments"];

const health = (token = LOCAL_SECRET_KEY) => callFunction("health", { headers: { authorization: `Bearer ${token}` } });

beforeAll(async () => {
  await clearHealthSignals(sql);
  await sql`select analytics.run_daily_etl_pipeline(${day(2)}::date)`;
});
afterAll(async () => {
  await clearHealthSignals(sql);
  await resetOpsSettings(sql);
  await sql.end();
});

describe("health", () => {
  it("is 200 while yesterday is not due yet, although it is not computed: no false page after midnight", async () => {
    // The nightly run at 23:59 UTC without grace: yesterday is due only at the very end of today.
    await setHealthSchedule(sql, "23:59:59", "0");
    const res = await health();
    const body = await res.json();
    expect(body.reasons).toEqual([]);
    expect(res.status).toBe(200);
    expect(body.checks.yesterday).toMatchObject({ date: YESTERDAY, due: false, missing_or_failed_jobs: JOBS, running_jobs: [] });
    expect(body.checks.latest_due_day).toMatchObject({ date: day(2), missing_or_failed_jobs: [] });
  });

  it("is 503 once yesterday is due and not computed", async () => {
    await setHealthSchedule(sql, "00:00", "0");
    const res = await health();
    expect(res.status).toBe(503);
    const body = await res.json();
    expect(body.healthy).toBe(false);
    expect(body.reasons).toEqual([`${YESTERDAY} is not computed (due ${day(0)} 00:00 UTC): ${JOBS.join(", ")}`]);
    expect(body.checks.yesterday).toMatchObject({ due: true, missing_or_failed_jobs: JOBS });
  });

  it("the grace period delays it", async () => {
    await setHealthSchedule(sql, "00:00", "20 hours");
    const body = await (await health()).json();
    const dueAt = new Date(`${day(0)}T20:00:00Z`);
    expect(body.checks.yesterday.due).toBe(Date.now() >= dueAt.getTime());
    expect(new Date(body.checks.yesterday.due_at).getTime()).toBe(dueAt.getTime());
    await setHealthSchedule(sql, "00:00", "0");
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
    await sql`delete from public.etl_job_runs where job_name = 'calls' and error = 'boom'`;
  });

  it("is 503 when ingestion today falls below half the median of the same hours of the last 7 days", async () => {
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

  it("shows a job running in another session, and a stale one once that session is gone", async () => {
    // A session that holds a committed `running` row for yesterday, as the nightly runner does.
    const runner = connect({ max: 1 });
    const [{ pid }] = await runner<{ pid: number }[]>`select pg_backend_pid() as pid`;
    await runner`insert into public.etl_job_runs (job_name, target_date, status) values ('engagement', ${YESTERDAY}, 'running')`;

    let res = await health();
    let body = await res.json();
    expect(body.running).toEqual([expect.objectContaining({ job: "engagement", date: YESTERDAY, stale: false })]);
    // Yesterday is due (00:00 without grace) and engagement is still being computed.
    expect(body.reasons).toEqual([`${YESTERDAY} is still being computed (due ${day(0)} 00:00 UTC): engagement`]);
    expect(body.checks.running_jobs[0].backend_pid).toBe(pid);
    expect(res.status).toBe(503);

    await sql`select pg_terminate_backend(${pid})`;
    await runner.end({ timeout: 0 }).catch(() => {});
    res = await health();
    body = await res.json();
    expect(body.running).toEqual([expect.objectContaining({ job: "engagement", stale: true })]);
    expect(body.reasons).toEqual([
      `${YESTERDAY} is not computed (due ${day(0)} 00:00 UTC): engagement`,
      "1 ETL job run(s) stale: the session is gone or it has run for over 06:00:00",
    ]);

    // The alerts job records it as failed: finished rows are always written.
    const [{ failed }] = await sql<{ failed: number }[]>`select analytics.fail_abandoned_etl_runs() as failed`;
    expect(failed).toBe(1);
    const [row] = await sql`select status, error from public.etl_job_runs where job_name = 'engagement' and target_date = ${YESTERDAY} order by id desc limit 1`;
    expect(row.status).toBe("failed");
    expect(row.error).toMatch(/^abandoned: its session \(pid \d+\) ended/);
    await sql`select analytics.run_daily_etl_pipeline(${YESTERDAY}::date)`;
    expect((await health()).status).toBe(200);
  });

  it("gives a monitor the summary only, with the same status", async () => {
    await sql`insert into public.etl_job_runs (job_name, target_date, finished_at, status, rows_written, error)
      values ('calls', ${day(3)}, now(), 'failed', 0, 'secret detail')`;
    const res = await health(await mintRoleToken("monitor"));
    expect(res.status).toBe(503);
    const body = await res.json();
    expect(Object.keys(body).sort()).toEqual(["checked_at", "healthy", "reasons", "running", "time_zone"]);
    expect(body.reasons).toEqual(["1 failed ETL job(s) in the last 7 days"]);
    expect(JSON.stringify(body)).not.toContain("secret detail");
    await sql`delete from public.etl_job_runs where error = 'secret detail'`;
    expect((await health(await mintRoleToken("monitor"))).status).toBe(200);
  });

  it("refuses other roles and the anon key", async () => {
    for (const role of ["client", "reader"] as const) {
      expect((await health(await mintRoleToken(role))).status, role).toBe(403);
    }
    expect((await health(LOCAL_ANON_KEY)).status).toBe(401);
    expect((await callFunction("health")).status).toBe(401);
  });
});

// pg_cron: the named jobs exist with the right schedules and commands, and a job really runs.
import { afterAll, describe, expect, it } from "vitest";
import { connect } from "../helpers/db.ts";

const sql = connect();
const PROBE = "analytics-etl-test-probe";
const PROBE_CALL = "analytics-etl-test-probe-call";
afterAll(async () => {
  await sql`select cron.unschedule(jobid) from cron.job where jobname in (${PROBE}, ${PROBE_CALL})`;
  await sql.end();
});

describe("pg_cron schedules", () => {
  it("schedules the nightly ETL, partition creation, health alerts, the retention purge and the quota purge by name, calling only analytics functions", async () => {
    const jobs = await sql<{ jobname: string; schedule: string; command: string }[]>`
      select jobname, schedule, command from cron.job where jobname like 'analytics-%' and jobname not in (${PROBE}, ${PROBE_CALL}) order by jobname`;
    expect(jobs).toEqual([
      { jobname: "analytics-create-partitions", schedule: "0 1 * * 1", command: "select analytics.create_upcoming_events_partitions(2)" },
      { jobname: "analytics-health-alerts", schedule: "*/5 * * * *", command: "select analytics.run_health_alerts()" },
      { jobname: "analytics-nightly-etl", schedule: "0 * * * *", command: "call analytics.run_scheduled_nightly_etl()" },
      { jobname: "analytics-purge-expired", schedule: "30 3 * * *", command: "select analytics.purge_expired_data()" },
      { jobname: "analytics-purge-expired-state", schedule: "40 3 * * *", command: "select analytics.purge_expired_state()" },
      { jobname: "analytics-purge-ingest-quota", schedule: "20 * * * *", command: "select analytics.purge_ingest_quota()" },
    ]);
  });

  it("re-scheduling by name updates the job instead of adding one", async () => {
    const [{ before }] = await sql<{ before: number }[]>`select count(*)::int as before from cron.job`;
    await sql`select cron.schedule('analytics-nightly-etl', '0 * * * *', 'call analytics.run_scheduled_nightly_etl()')`;
    const [{ after }] = await sql<{ after: number }[]>`select count(*)::int as after from cron.job`;
    expect(after).toBe(before);
  });

  // pg_cron 1.4 (the OS package here) has minute granularity: this waits for the next minute.
  // The second probe CALLs a procedure that commits between its steps, as the nightly job does.
  it("runs a scheduled analytics function, and a committing procedure, and records their success", { timeout: 150_000 }, async () => {
    const [{ day }] = await sql<{ day: string }[]>`select (analytics.reporting_today() - 60)::text as day`;
    await sql`delete from public.etl_job_runs where target_date = ${day}::date`;
    const [{ jobid }] = await sql<{ jobid: number }[]>`select cron.schedule(${PROBE}, '* * * * *', 'select analytics.reporting_time_zone()') as jobid`;
    const [{ callid }] = await sql<{ callid: number }[]>`
      select cron.schedule(${PROBE_CALL}, '* * * * *', format('call analytics.run_etl_day(%L, null, null, null)', ${day}::date)) as callid`;
    const lastStatus = async (id: number) => (await sql<{ status: string }[]>`
      select status from cron.job_run_details where jobid = ${id} order by runid desc limit 1`)[0]?.status;
    for (let i = 0; i < 140 && !((await lastStatus(jobid)) === "succeeded" && (await lastStatus(callid)) === "succeeded"); i++) {
      await new Promise((r) => setTimeout(r, 1000));
    }
    expect(await lastStatus(jobid)).toBe("succeeded");
    expect(await lastStatus(callid)).toBe("succeeded");
    await sql`select cron.unschedule(${PROBE_CALL})`;
    const runs = await sql<{ status: string }[]>`select distinct on (job_name) status from public.etl_job_runs
      where target_date = ${day}::date order by job_name, id desc`;
    expect(runs.map((r) => r.status)).toEqual(Array(7).fill("succeeded"));
    await sql`delete from public.etl_job_runs where target_date = ${day}::date`;
  });
});

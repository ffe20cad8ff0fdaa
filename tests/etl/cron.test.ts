// pg_cron: the named jobs exist with the right schedules and commands, and a job really runs.
import { afterAll, describe, expect, it } from "vitest";
import { connect } from "../helpers/db.ts";

const sql = connect();
const PROBE = "analytics-etl-test-probe";
afterAll(async () => {
  await sql`select cron.unschedule(jobid) from cron.job where jobname = ${PROBE}`;
  await sql.end();
});

describe("pg_cron schedules", () => {
  it("schedules the nightly ETL, partition creation, health alerts, the retention purge and the quota purge by name, calling only analytics functions", async () => {
    const jobs = await sql<{ jobname: string; schedule: string; command: string }[]>`
      select jobname, schedule, command from cron.job where jobname like 'analytics-%' and jobname <> ${PROBE} order by jobname`;
    expect(jobs).toEqual([
      { jobname: "analytics-create-partitions", schedule: "0 1 * * 1", command: "select analytics.create_upcoming_events_partitions(2)" },
      { jobname: "analytics-health-alerts", schedule: "*/5 * * * *", command: "select analytics.run_health_alerts()" },
      { jobname: "analytics-nightly-etl", schedule: "0 * * * *", command: "select analytics.run_nightly_etl_if_due()" },
      { jobname: "analytics-purge-expired", schedule: "30 3 * * *", command: "select analytics.purge_expired_data()" },
      { jobname: "analytics-purge-ingest-quota", schedule: "20 * * * *", command: "select analytics.purge_ingest_quota()" },
    ]);
  });

  it("re-scheduling by name updates the job instead of adding one", async () => {
    const [{ before }] = await sql<{ before: number }[]>`select count(*)::int as before from cron.job`;
    await sql`select cron.schedule('analytics-nightly-etl', '0 * * * *', 'select analytics.run_nightly_etl_if_due()')`;
    const [{ after }] = await sql<{ after: number }[]>`select count(*)::int as after from cron.job`;
    expect(after).toBe(before);
  });

  // pg_cron 1.4 (the OS package here) has minute granularity: this waits for the next minute.
  it("runs a scheduled analytics function and records its success", { timeout: 150_000 }, async () => {
    const [{ jobid }] = await sql<{ jobid: number }[]>`select cron.schedule(${PROBE}, '* * * * *', 'select analytics.reporting_time_zone()') as jobid`;
    let status: string | undefined;
    for (let i = 0; i < 140 && status !== "succeeded"; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      [{ status } = { status: undefined }] = await sql<{ status: string }[]>`
        select status from cron.job_run_details where jobid = ${jobid} order by runid desc limit 1`;
    }
    expect(status).toBe("succeeded");
  });
});

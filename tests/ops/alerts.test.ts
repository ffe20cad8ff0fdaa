// Health alerts end to end: evaluation on a state change only, delivery by `ops alerts deliver` to a
// real webhook receiver on 127.0.0.1 (one alert on the transition, none while the state stays, one
// on recovery), retry with backoff when the receiver fails, and silencing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "../helpers/db.ts";
import { clearHealthSignals, day, pauseCronJobs, resetOpsSettings, setHealthSchedule } from "../helpers/health.ts";
import { ops, opsAsync } from "../helpers/ops.ts";
import { startWebhookReceiver, type WebhookReceiver } from "../helpers/webhook-receiver.ts";

const sql = connect();
let receiver: WebhookReceiver;
let resumeCron: () => Promise<void>;
const JOB = "analytics-health-alerts";
const texts = () => receiver.received.map((b) => (b as { text: string }).text);

async function breakHealth() {
  await sql`insert into public.etl_job_runs (job_name, target_date, finished_at, status, rows_written, error)
    values ('payments', ${day(3)}, now(), 'failed', 0, 'alerts-test')`;
}
async function repairHealth() {
  await sql`delete from public.etl_job_runs where error = 'alerts-test'`;
}
const pendingAlerts = () => sql<{ alert_id: number; attempts: number; last_error: string | null; retry_in_s: number }[]>`
  select alert_id, attempts, last_error, extract(epoch from next_attempt_at - now())::int as retry_in_s
  from analytics.health_alerts where status = 'pending' order by alert_id`;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  // The test drives evaluation itself: the every-5-minutes job must not race it.
  resumeCron = await pauseCronJobs(sql, [JOB]);
  await sql`delete from analytics.health_alerts`;
  await sql`delete from analytics.health_alert_state`;
  await clearHealthSignals(sql);
  await setHealthSchedule(sql, "00:00", "0");
  await sql`select analytics.run_daily_etl_pipeline(${day(1)}::date)`;
  expect(ops("alerts", "webhook", receiver.url).code).toBe(0);
});
afterAll(async () => {
  await repairHealth();
  await clearHealthSignals(sql);
  await resetOpsSettings(sql);
  await resumeCron();
  await receiver.close();
  await sql.end();
});

describe("health alerts", () => {
  it("the pg_cron job evaluates every 5 minutes", async () => {
    const [job] = await sql`select schedule, command from cron.job where jobname = ${JOB}`;
    expect(job).toEqual({ schedule: "*/5 * * * *", command: "select analytics.run_health_alerts()" });
  });

  it("a healthy start sends nothing", async () => {
    const r = await opsAsync("alerts", "deliver");
    expect(r.code).toBe(0);
    expect(receiver.received).toEqual([]);
  });

  it("one alert when health turns unhealthy, none while it stays so", async () => {
    await breakHealth();
    const r = await opsAsync("alerts", "deliver");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/alert \d+ delivered to 127\.0\.0\.1:\d+ \(attempt 1\)/);
    expect(texts()).toHaveLength(1);
    expect(texts()[0]).toMatch(/^:rotating_light: \*SAMIA-TAROT analytics is unhealthy\* since .+:\n• 1 failed ETL job\(s\) in the last 7 days\n/);

    expect((await opsAsync("alerts", "deliver")).code).toBe(0);
    await sql`select analytics.run_health_alerts()`; // what the cron job runs: no second alert either
    expect((await opsAsync("alerts", "deliver")).code).toBe(0);
    expect(texts()).toHaveLength(1);
    const [{ n }] = await sql<{ n: number }[]>`select count(*)::int as n from analytics.health_alerts`;
    expect(n).toBe(1);
  });

  it("one alert on recovery", async () => {
    await repairHealth();
    expect((await opsAsync("alerts", "deliver")).code).toBe(0);
    expect(texts()).toHaveLength(2);
    expect(texts()[1]).toMatch(/^:white_check_mark: \*SAMIA-TAROT analytics recovered\* at .+ \(unhealthy since .+\)\.$/);
    expect((await opsAsync("alerts", "deliver")).code).toBe(0);
    expect(texts()).toHaveLength(2);
  });

  it("a failing receiver is retried later, with backoff, and the alert then arrives once", async () => {
    receiver.answer(500);
    await breakHealth();
    let r = await opsAsync("alerts", "deliver");
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/NOT delivered .*HTTP 500 receiver error; retried later/);
    expect(texts()).toHaveLength(3);
    let [pending] = await pendingAlerts();
    expect(pending).toMatchObject({ attempts: 1, last_error: "HTTP 500 receiver error" });
    expect(pending.retry_in_s).toBeGreaterThan(50);
    expect(pending.retry_in_s).toBeLessThanOrEqual(60);

    // Not due yet: nothing is posted.
    expect((await opsAsync("alerts", "deliver")).code).toBe(0);
    expect(texts()).toHaveLength(3);

    // The minute passes and it fails again: the next wait doubles.
    await sql`update analytics.health_alerts set next_attempt_at = now() where status = 'pending'`;
    expect((await opsAsync("alerts", "deliver")).code).toBe(1);
    [pending] = await pendingAlerts();
    expect(pending.attempts).toBe(2);
    expect(pending.retry_in_s).toBeGreaterThan(110);
    expect(pending.retry_in_s).toBeLessThanOrEqual(120);

    receiver.answer(200);
    await sql`update analytics.health_alerts set next_attempt_at = now() where status = 'pending'`;
    r = await opsAsync("alerts", "deliver");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/delivered .*\(attempt 3\)/);
    expect(texts()).toHaveLength(5);
    expect(texts()[4]).toBe(texts()[2]);
    expect(await pendingAlerts()).toEqual([]);
  });

  it("while silenced, a change is neither recorded nor sent; after the silence it is", async () => {
    const r = ops("alerts", "silence", "--for", "1h", "--reason", "maintenance window");
    expect(r.code).toBe(0);
    expect(ops("alerts").stdout).toMatch(/maintenance window/);
    await repairHealth();
    expect((await opsAsync("alerts", "deliver")).code).toBe(0);
    await sql`select analytics.run_health_alerts()`;
    expect(texts()).toHaveLength(5);
    const [{ healthy }] = await sql<{ healthy: boolean }[]>`select healthy from analytics.health_alert_state`;
    expect(healthy).toBe(false);

    expect(ops("alerts", "unsilence").code).toBe(0);
    expect((await opsAsync("alerts", "deliver")).code).toBe(0);
    expect(texts()).toHaveLength(6);
    expect(texts()[5]).toMatch(/recovered/);
  });

  it("without a webhook, alerts are recorded as unsent", async () => {
    expect(ops("alerts", "webhook", "--clear").code).toBe(0);
    await breakHealth();
    const r = await opsAsync("alerts", "deliver");
    expect(r.stdout).toMatch(/1 alert\(s\) not sent: no webhook configured/);
    const [last] = await sql`select state, status from analytics.health_alerts order by alert_id desc limit 1`;
    expect(last).toEqual({ state: "unhealthy", status: "unsent" });
    expect(texts()).toHaveLength(6);
  });

  it("refuses a webhook that is not an http(s) URL", () => {
    const r = ops("alerts", "webhook", "ftp://example.com/x");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/must be http\(s\)/);
  });
});

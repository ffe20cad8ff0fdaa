// Late-day marks (analytics.etl_late_day_marks): an ingest batch that marks a day the nightly run is
// computing answers at once (it used to wait on the run's lock on the day's mark until the whole
// nightly transaction ended), and its mark survives the run, so the next run sees the event.
import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { connect } from "../helpers/db.ts";
import { postEvents } from "../helpers/ingest-post.ts";
import type { Attempt } from "../helpers/ingest-post.ts";
import { cleanupDays, metricRows, runPipeline } from "./fixtures.ts";

const sql = connect();
const PROVIDER = "late-mark-test";
const DAY_MS = 86_400_000;
const todayMs = Date.parse(new Date().toISOString().slice(0, 10) + "T00:00:00Z");
const DAY = new Date(todayMs - 5 * DAY_MS).toISOString().slice(0, 10);
const NEXT_DAY = new Date(todayMs - 4 * DAY_MS).toISOString().slice(0, 10);

const lateEvent = () => ({
  event_id: randomUUID(), event_domain: "payments", event_type: "payment_succeeded",
  event_timestamp: `${DAY}T12:00:00Z`, user_id: randomUUID(), entity_type: "payment", entity_id: `pay-${randomUUID()}`,
  provider: PROVIDER, country_code: "CH", amount_cents: 1200, currency: "CHF",
});
const marksOf = async (day: string) =>
  (await sql<{ n: number }[]>`select count(*)::int as n from analytics.etl_late_day_marks where metric_date = ${day}`)[0].n;
const successes = async () =>
  (await metricRows(sql, "metrics_daily_payments", DAY)).find((r) => r.provider === PROVIDER)?.successes;

afterAll(async () => {
  await sql`delete from public.events_raw where provider = ${PROVIDER}`;
  await cleanupDays(sql, [DAY], []);
  await sql.end();
});

describe("a late event while the nightly run computes its day", () => {
  it("is stored without waiting for the run, and its day stays marked for the next run", async () => {
    await sql`delete from analytics.etl_late_day_marks where metric_date = ${DAY}`;
    expect(await runPipeline(sql, DAY)).toBe("succeeded");
    expect((await postEvents([lateEvent()])).status).toBe(200);
    expect(await marksOf(DAY)).toBe(1);

    let during: Promise<Attempt> | undefined;
    await sql.begin(async (tx) => {
      const nightly = await tx<{ d: string; status: string }[]>`
        select metric_date::text as d, status from analytics.run_nightly_etl(${NEXT_DAY}::date)`;
      expect(nightly).toContainEqual({ d: DAY, status: "succeeded" });
      during = postEvents([lateEvent()]);
      await tx`select pg_sleep(3)`;
    });
    const answered = await during!;
    expect(answered.status).toBe(200);
    expect(answered.ms).toBeLessThan(1000);
    // The run consumed the mark it read; the one added during it is left for the next run.
    expect(await marksOf(DAY)).toBe(1);
    expect(await successes()).toBe(1);

    const next = await sql<{ d: string; status: string }[]>`
      select metric_date::text as d, status from analytics.run_nightly_etl(${NEXT_DAY}::date)`;
    expect(next).toContainEqual({ d: DAY, status: "succeeded" });
    expect(await successes()).toBe(2);
    expect(await marksOf(DAY)).toBe(0);
  });
});

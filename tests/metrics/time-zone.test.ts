// The reporting time zone in the metrics API (docs/design.md §10.1), over real HTTP: every response's
// meta names the zone its dates are local dates of, says which days of the range were computed in
// another zone, and a cached answer is never served across a change of zone.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mintRoleToken } from "../../stack/keys.ts";
import { connect } from "../helpers/db.ts";
import { getMetrics } from "./client.ts";

const sql = connect();
const DAYS = ["2013-03-01", "2013-03-02", "2013-03-03"];
const SERVICE = "tz-e2e";
let admin = "";

async function setZone(zone: string) {
  await sql`select analytics.set_reporting_time_zone(${zone})`;
  await sql`delete from analytics.etl_recompute_requests where reason = 'time_zone'`; // not this suite's business
}

beforeAll(async () => {
  admin = await mintRoleToken("admin");
  await sql`insert into public.metrics_daily_calls (metric_date, service_code, provider, started) values
    (${DAYS[0]}, ${SERVICE}, 'p', 1), (${DAYS[1]}, ${SERVICE}, 'p', 2), (${DAYS[2]}, ${SERVICE}, 'p', 3)`;
  await sql`insert into analytics.etl_days (metric_date, time_zone) values
    (${DAYS[0]}, 'UTC'), (${DAYS[1]}, 'UTC'), (${DAYS[2]}, 'Asia/Riyadh')`;
});

afterAll(async () => {
  await setZone("UTC");
  await sql`delete from public.metrics_daily_calls where service_code = ${SERVICE}`;
  await sql`delete from analytics.etl_days where metric_date = any(${DAYS}::date[])`;
  await sql.end();
});

const range = `start_date=${DAYS[0]}&end_date=${DAYS[2]}&service_code=${SERVICE}`;

describe("meta.time_zone", () => {
  it("is in every endpoint's answer", async () => {
    for (const path of [
      `fulfillment?${range}`, `payments?start_date=${DAYS[0]}&end_date=${DAYS[2]}`, `calls?${range}`,
      `engagement?start_date=${DAYS[0]}&end_date=${DAYS[2]}`, `content?start_date=${DAYS[0]}&end_date=${DAYS[2]}`,
      `cohort-retention?cohort_start=${DAYS[0]}&cohort_end=${DAYS[2]}`, `overview?date=${DAYS[0]}`,
    ]) {
      const res = await getMetrics(admin, path);
      expect(res.status, path).toBe(200);
      expect(res.body.meta.time_zone, path).toBe("UTC");
    }
  });

  it("follows a change of zone at once (no cached answer of the old zone) and names the days computed in another", async () => {
    const before = await getMetrics(admin, `calls?${range}`);
    expect(before.body.meta).toMatchObject({
      time_zone: "UTC",
      other_time_zones: [{ time_zone: "Asia/Riyadh", first_date: DAYS[2], last_date: DAYS[2], days: 1 }],
    });
    expect((await getMetrics(admin, `calls?${range}`)).headers.get("x-cache")).toBe("hit");

    await setZone("Asia/Riyadh");
    const after = await getMetrics(admin, `calls?${range}`);
    expect(after.headers.get("x-cache")).toBe("miss");
    expect(after.body.data.map((r: { started: number }) => r.started)).toEqual([1, 2, 3]);
    expect(after.body.meta).toMatchObject({
      time_zone: "Asia/Riyadh",
      other_time_zones: [{ time_zone: "UTC", first_date: DAYS[0], last_date: DAYS[1], days: 2 }],
    });
  });
});

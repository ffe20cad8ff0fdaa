// Bad input: 400 invalid_parameter naming each parameter in details[].path, 404 for an unknown
// endpoint, 405 for other methods. Never a 5xx.
import { beforeAll, describe, expect, it } from "vitest";
import { callFunction } from "../helpers/functions.ts";
import { getMetrics } from "./client.ts";
import { tokens } from "./tokens.ts";

let admin: string;
beforeAll(async () => {
  admin = (await tokens()).admin;
});

const ok = "start_date=2011-06-01&end_date=2011-06-30";

// [path and query, parameters the error must name]
const CASES: [string, string[]][] = [
  ["payments?end_date=2011-06-30", ["start_date"]],
  ["payments", ["start_date", "end_date"]],
  ["payments?start_date=2011-02-29&end_date=2011-06-30", ["start_date"]],
  ["payments?start_date=2011-6-01&end_date=2011-06-30", ["start_date"]],
  ["payments?start_date=2011-06-01&end_date=20110630", ["end_date"]],
  ["payments?start_date=1969-12-31&end_date=1970-01-01", ["start_date"]],
  ["payments?start_date=2011-06-30&end_date=2011-06-01", ["start_date"]],
  ["payments?start_date=2011-01-01&end_date=2012-01-02", ["end_date"]], // 367 days
  [`payments?${ok}&country_code=USA`, ["country_code"]],
  [`payments?${ok}&country_code=u1`, ["country_code"]],
  [`payments?${ok}&currency=US`, ["currency"]],
  [`payments?${ok}&provider=`, ["provider"]],
  [`payments?${ok}&provider=${"x".repeat(257)}`, ["provider"]],
  [`payments?${ok}&reader_id=${"a".repeat(8)}`, ["reader_id"]],
  [`fulfillment?${ok}&reader_id=not-a-uuid`, ["reader_id"]],
  [`engagement?${ok}&service_code=tarot`, ["service_code"]],
  [`calls?${ok}&foo=1&bar=2`, ["foo", "bar"]],
  [`calls?${ok}&format=xml`, ["format"]],
  [`calls?${ok}&start_date=2011-06-02`, ["start_date"]],
  ["cohort-retention?cohort_start=2011-06-01", ["cohort_end"]],
  ["cohort-retention?cohort_start=2011-06-01&cohort_end=2011-06-30&retention_days=1,x", ["retention_days"]],
  ["cohort-retention?cohort_start=2011-06-01&cohort_end=2011-06-30&retention_days=366", ["retention_days"]],
  ["cohort-retention?cohort_start=2011-06-01&cohort_end=2011-06-30&retention_days=-1", ["retention_days"]],
  ["cohort-retention?cohort_start=2011-06-01&cohort_end=2011-06-30&retention_days=1.5", ["retention_days"]],
  ["cohort-retention?cohort_start=2011-06-01&cohort_end=2011-06-30&retention_days=", ["retention_days"]],
  ["cohort-retention?start_date=2011-06-01&cohort_start=2011-06-01&cohort_end=2011-06-30", ["start_date"]],
  ["overview", ["date"]],
  ["overview?date=2011-13-01", ["date"]],
  ["overview?date=2011-06-01&format=csv", ["format"]],
  ["_ping?x=1", ["x"]],
];

describe("parameter validation", () => {
  for (const [path, names] of CASES) {
    it(`${path.slice(0, 90)} → 400 naming ${names.join(", ")}`, async () => {
      const res = await getMetrics(admin, path);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("invalid_parameter");
      const paths = res.body.error.details.map((d: { path: string }) => d.path);
      expect([...new Set(paths)].sort()).toEqual([...names].sort());
      for (const name of names) expect(res.body.error.message).toContain(name);
    });
  }

  it("accepts the limits: 366 days inclusive, lower-case codes, retention days 0 and 365", async () => {
    for (const path of [
      "payments?start_date=2011-01-01&end_date=2012-01-01&country_code=us&currency=usd",
      "fulfillment?start_date=2012-02-29&end_date=2012-02-29&reader_id=A1000000-0000-4000-8000-000000000001",
      "cohort-retention?cohort_start=2011-06-01&cohort_end=2011-06-30&retention_days=0,365,7",
    ]) expect((await getMetrics(admin, path)).status, path).toBe(200);
  });

  it("unknown endpoints are 404, other methods 405 with Allow", async () => {
    const auth = { Authorization: `Bearer ${admin}` };
    const missing = await callFunction("metrics/revenue?start_date=2011-06-01", { headers: auth });
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.code).toBe("not_found");
    expect((await callFunction("metrics", { headers: auth })).status).toBe(404);
    expect((await callFunction("metrics/payments/extra", { headers: auth })).status).toBe(404);
    for (const method of ["POST", "PUT", "DELETE", "PATCH"]) {
      const res = await callFunction(`metrics/payments?${ok}`, { method, headers: auth });
      expect(res.status, method).toBe(405);
      expect(res.headers.get("allow")).toBe("GET, OPTIONS");
      expect((await res.json()).error.code).toBe("method_not_allowed");
    }
  });

  it("the anon key, a publishable key, a bad signature and no token are 401", async () => {
    const { anon } = await tokens();
    expect((await getMetrics(anon, `payments?${ok}`)).status).toBe(401);
    expect((await callFunction(`metrics/payments?${ok}`)).status).toBe(401);
    const forged = admin.slice(0, -4) + (admin.endsWith("AAAA") ? "BBBB" : "AAAA");
    expect((await callFunction(`metrics/payments?${ok}`, { headers: { Authorization: `Bearer ${forged}` } })).status).toBe(401);
    expect((await callFunction(`metrics/payments?${ok}`, { headers: { Authorization: "Bearer sb_publishable_x" } })).status).toBe(401);
  });
});

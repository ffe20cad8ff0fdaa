// The metrics response cache end to end (real HTTP, real database): a repeated question is
// answered from the cache with the identical body; any write to a table the answer reads (update,
// insert, erasure-like delete, an ETL run) makes the next request a miss with the new rows; and
// callers whose RLS results may differ (reader A, reader B, admin) never share an entry.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_USERS, mintRoleToken, mintUserToken } from "../../stack/keys.ts";
import { LOCAL_FUNCTIONS_URL } from "../../stack/local-settings.ts";
import { connect } from "../helpers/db.ts";
import { getMetrics } from "./client.ts";
import { utcDaysAgo } from "./fixtures.ts";

const SERVICE = "cache-e2e"; // rows of this suite only
const DAYS = ["2012-09-03", "2012-09-04"];
const ETL_DAY = "2012-09-10";
const READER_A = "a2000000-0000-4000-8000-00000000000a";
const READER_B = "a2000000-0000-4000-8000-00000000000b";
const TODAY = utcDaysAgo(0);
const YESTERDAY = utcDaysAgo(1);

const sql = connect();
const t = { admin: "", readerA: "", readerB: "" };
const oldRange = `start_date=${DAYS[0]}&end_date=${DAYS[1]}&service_code=${SERVICE}`;
const recentRange = `start_date=${YESTERDAY}&end_date=${TODAY}&service_code=${SERVICE}`;

async function insertRow(day: string, reader: string | null, ordersCreated: number) {
  await sql`insert into public.metrics_daily_fulfillment (metric_date, service_code, reader_id, orders_created)
            values (${day}, ${SERVICE}, ${reader}, ${ordersCreated})`;
}

async function cleanup() {
  await sql`delete from public.metrics_daily_fulfillment where service_code = ${SERVICE}`;
  for (const table of ["metrics_daily_fulfillment", "metrics_daily_payments", "metrics_daily_calls", "metrics_daily_engagement",
    "metrics_daily_content"]) {
    await sql`delete from public.${sql(table)} where metric_date = ${ETL_DAY}`;
  }
  await sql`delete from public.metrics_cohort_retention where cohort_date = ${ETL_DAY}`;
  await sql`delete from public.etl_job_runs where target_date = ${ETL_DAY}`;
}

beforeAll(async () => {
  t.admin = await mintRoleToken("admin");
  t.readerA = await mintUserToken({ sub: READER_A, appRole: "reader" });
  t.readerB = await mintUserToken({ sub: READER_B, appRole: "reader" });
  await cleanup();
  for (const day of DAYS) await insertRow(day, null, 100);
  for (const day of [YESTERDAY, TODAY]) {
    await insertRow(day, READER_A, 1);
    await insertRow(day, READER_B, 2);
    await insertRow(day, null, 3);
  }
});

afterAll(async () => {
  await cleanup();
  await sql.end();
});

const ordersOf = (body: { data: { orders_created: number }[] }) => body.data.map((r) => r.orders_created);

describe("repeated requests", () => {
  it("answers the second identical request from the cache with the identical body and ETag", async () => {
    const before = Date.now();
    const first = await getMetrics(t.admin, `fulfillment?${oldRange}`);
    const second = await getMetrics(t.admin, `fulfillment?${oldRange}`);
    expect(first.status).toBe(200);
    expect(first.headers.get("x-cache")).toBe("miss");
    expect(second.headers.get("x-cache")).toBe("hit");
    expect(second.body).toEqual(first.body); // generated_at included: the time the answer was computed
    expect(Date.parse(first.body.meta.generated_at)).toBeGreaterThanOrEqual(before - 1000);
    expect(second.headers.get("etag")).toBe(first.headers.get("etag"));
    expect(ordersOf(first.body)).toEqual([100, 100]);
  });

  it("still answers If-None-Match with 304 from the cache", async () => {
    const { headers } = await getMetrics(t.admin, `fulfillment?${oldRange}`);
    const res = await fetch(`${LOCAL_FUNCTIONS_URL}/metrics/fulfillment?${oldRange}`, {
      headers: { authorization: `Bearer ${t.admin}`, "if-none-match": headers.get("etag")! },
    });
    expect(res.status).toBe(304);
    expect(res.headers.get("x-cache")).toBe("hit");
  });

  it("keeps JSON and CSV apart, and shares one entry between spellings of the same params", async () => {
    const csv = await getMetrics(t.admin, `fulfillment?${oldRange}&format=csv`);
    expect(csv.headers.get("x-cache")).toBe("miss");
    expect(csv.headers.get("content-type")).toMatch(/^text\/csv/);
    const reordered = await getMetrics(t.admin, `fulfillment?service_code=${SERVICE}&end_date=${DAYS[1]}&start_date=${DAYS[0]}`);
    expect(reordered.headers.get("x-cache")).toBe("hit");
    expect(reordered.headers.get("content-type")).toMatch(/^application\/json/);
  });

  it("never caches the _ping baseline", async () => {
    expect((await getMetrics(t.admin, "_ping")).headers.get("x-cache")).toBe("bypass");
    expect((await getMetrics(t.admin, "_ping")).headers.get("x-cache")).toBe("bypass");
  });
});

describe("invalidation", () => {
  it("misses and returns the new rows after an update, an insert and a delete", async () => {
    await getMetrics(t.admin, `fulfillment?${oldRange}`); // cached now
    await sql`update public.metrics_daily_fulfillment set orders_created = 101 where service_code = ${SERVICE} and metric_date = ${DAYS[0]}`;
    const updated = await getMetrics(t.admin, `fulfillment?${oldRange}`);
    expect(updated.headers.get("x-cache")).toBe("miss");
    expect(ordersOf(updated.body)).toEqual([101, 100]);

    await insertRow(DAYS[1], READER_A, 7);
    const inserted = await getMetrics(t.admin, `fulfillment?${oldRange}`);
    expect(inserted.headers.get("x-cache")).toBe("miss");
    expect(ordersOf(inserted.body)).toEqual([101, 7, 100]);
    expect((await getMetrics(t.admin, `fulfillment?${oldRange}`)).headers.get("x-cache")).toBe("hit");

    await sql`delete from public.metrics_daily_fulfillment where service_code = ${SERVICE} and metric_date = ${DAYS[1]} and reader_id is not null`;
    const deleted = await getMetrics(t.admin, `fulfillment?${oldRange}`);
    expect(deleted.headers.get("x-cache")).toBe("miss");
    expect(ordersOf(deleted.body)).toEqual([101, 100]);
  });

  it("a write to another table leaves the entry valid", async () => {
    await getMetrics(t.admin, `fulfillment?${oldRange}`);
    await sql`delete from public.metrics_daily_payments where metric_date = ${ETL_DAY}`;
    expect((await getMetrics(t.admin, `fulfillment?${oldRange}`)).headers.get("x-cache")).toBe("hit");
  });

  it("an ETL run for a day invalidates the overview (metrics rows and etl_job_runs)", async () => {
    const first = await getMetrics(t.admin, `overview?date=${ETL_DAY}`);
    expect(first.body.data.etl).toEqual([]);
    expect((await getMetrics(t.admin, `overview?date=${ETL_DAY}`)).headers.get("x-cache")).toBe("hit");
    await sql`select analytics.run_daily_etl_pipeline(${ETL_DAY}::date)`;
    const after = await getMetrics(t.admin, `overview?date=${ETL_DAY}`);
    expect(after.headers.get("x-cache")).toBe("miss");
    expect(after.body.data.etl.map((r: { job_name: string }) => r.job_name)).toContain("pipeline");
    expect(after.body.data.engagement).toHaveLength(1);
  });
});

describe("callers never share entries", () => {
  it("reader A, reader B and an admin asking the same question each get their own rows", async () => {
    const a1 = await getMetrics(t.readerA, `fulfillment?${recentRange}`);
    const a2 = await getMetrics(t.readerA, `fulfillment?${recentRange}`);
    const b = await getMetrics(t.readerB, `fulfillment?${recentRange}`);
    const admin = await getMetrics(t.admin, `fulfillment?${recentRange}`);
    expect([a1, a2, b, admin].map((r) => r.headers.get("x-cache"))).toEqual(["miss", "hit", "miss", "miss"]);
    expect(a2.body.data.map((r: { reader_id: string }) => r.reader_id)).toEqual([READER_A, READER_A]);
    expect(b.body.data.map((r: { reader_id: string }) => r.reader_id)).toEqual([READER_B, READER_B]);
    expect(admin.body.data).toHaveLength(6);
    const b2 = await getMetrics(t.readerB, `fulfillment?${recentRange}`);
    expect(b2.headers.get("x-cache")).toBe("hit");
    expect(b2.body).toEqual(b.body);
  });

  it("two admins do not share an entry either (the key holds the user id)", async () => {
    await getMetrics(t.admin, `fulfillment?${recentRange}`);
    const otherAdmin = await mintUserToken({ sub: DEMO_USERS.superadmin, appRole: "admin" });
    const other = await getMetrics(otherAdmin, `fulfillment?${recentRange}`);
    expect(other.headers.get("x-cache")).toBe("miss");
  });

  it("an erasure-like delete of a reader's rows invalidates every caller's entry", async () => {
    await getMetrics(t.readerA, `fulfillment?${recentRange}`);
    await getMetrics(t.admin, `fulfillment?${recentRange}`);
    // What analytics.erase_user does to the metrics: delete the user's reader rows.
    await sql`delete from public.metrics_daily_fulfillment where reader_id = ${READER_A}`;
    const a = await getMetrics(t.readerA, `fulfillment?${recentRange}`);
    const admin = await getMetrics(t.admin, `fulfillment?${recentRange}`);
    expect([a.headers.get("x-cache"), admin.headers.get("x-cache")]).toEqual(["miss", "miss"]);
    expect(a.body.data).toEqual([]);
    expect(admin.body.data.map((r: { reader_id: string | null }) => r.reader_id)).not.toContain(READER_A);
    expect(admin.body.data).toHaveLength(4);
  });
});

// Exactly which rows each caller gets from each endpoint: row-by-row equality with the seeded
// rows (field names, field order, JSON number types, nulls), the contract order, filters, the
// reader's own rows in the 30-day window, and the overview sections per role.
import { beforeAll, describe, expect, it } from "vitest";
import { getMetrics } from "./client.ts";
import {
  CALLS, COHORTS, CONTENT, D1, D2, E2E_SERVICE, ENGAGEMENT, FULFILLMENT, PAYMENTS, READER_1, READER_2,
  RECENT_FULFILLMENT, utcDaysAgo,
} from "./fixtures.ts";
import { useSeededMetrics, type Tokens } from "./suite.ts";

const ctx = useSeededMetrics();
let t: Tokens;
beforeAll(() => {
  t = ctx.t;
});

type Row = Record<string, unknown>;

/** Same rows, same order, same field order; counts and money are JSON numbers. */
function expectRows(actual: Row[], expected: Row[]) {
  expect(actual).toEqual(expected);
  actual.forEach((row, i) => expect(Object.keys(row)).toEqual(Object.keys(expected[i])));
  for (const row of actual) {
    for (const [k, v] of Object.entries(row)) {
      if (/_date$|_code$|^provider$|^currency$|^reader_id$/.test(k)) expect(v === null || typeof v === "string", k).toBe(true);
      else expect(v === null || typeof v === "number", k).toBe(true);
    }
  }
}

async function rows(token: string, path: string): Promise<Row[]> {
  const res = await getMetrics(token, path);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data;
}

const range = `start_date=${D1}&end_date=${D2}`;
const where = (rs: Row[], f: (r: Row) => boolean) => rs.filter(f);
// Code-point order, null (total) last: what the API promises.
const key = (r: Row) => `${r.metric_date}|${r.reader_id ?? "\uffff"}`;
const byDateThenReader = (a: Row, b: Row) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);

describe("fulfillment", () => {
  it("admins, superadmins and backends get every row, ordered by date then dimensions, totals last", async () => {
    for (const token of [t.admin, t.superadmin, t.service]) expectRows(await rows(token, `fulfillment?${range}`), FULFILLMENT);
  });

  it("filters by service_code and reader_id", async () => {
    expectRows(await rows(t.admin, `fulfillment?${range}&service_code=tarot`), where(FULFILLMENT, (r) => r.service_code === "tarot"));
    expectRows(await rows(t.admin, `fulfillment?${range}&reader_id=${READER_1.toUpperCase()}`), where(FULFILLMENT, (r) => r.reader_id === READER_1));
    expectRows(await rows(t.admin, `fulfillment?start_date=${D2}&end_date=${D2}&service_code=tarot&reader_id=${READER_2}`),
      where(FULFILLMENT, (r) => r.service_code === "tarot" && r.reader_id === READER_2));
  });

  it("a reader gets only their own rows of the last 30 UTC days: day -30 yes, -31 no, no total rows", async () => {
    const recent = `start_date=${utcDaysAgo(40)}&end_date=${utcDaysAgo(0)}`;
    const own = (reader: string) => where(RECENT_FULFILLMENT, (r) => r.reader_id === reader && r.metric_date !== utcDaysAgo(31));
    expectRows(await rows(t.reader, `fulfillment?${recent}`), own(READER_1));
    expect(own(READER_1).map((r) => r.metric_date)).toContain(utcDaysAgo(30));
    expectRows(await rows(t.reader2, `fulfillment?${recent}`), own(READER_2));
  });

  it("a reader asking for another reader's rows, or for old days, gets none", async () => {
    expect(await rows(t.reader, `fulfillment?start_date=${utcDaysAgo(40)}&end_date=${utcDaysAgo(0)}&reader_id=${READER_2}`)).toEqual([]);
    expect(await rows(t.reader, `fulfillment?${range}`)).toEqual([]);
  });

  it("admins see the reader rows outside the window and the total rows too", async () => {
    const recent = `start_date=${utcDaysAgo(40)}&end_date=${utcDaysAgo(0)}&service_code=${E2E_SERVICE}`;
    expectRows(await rows(t.admin, `fulfillment?${recent}`), where(RECENT_FULFILLMENT, (r) => r.service_code === E2E_SERVICE)
      .sort(byDateThenReader));
  });
});

describe("payments", () => {
  it("admins get detail rows then per-currency totals", async () => {
    expectRows(await rows(t.admin, `payments?${range}`), PAYMENTS);
    expectRows(await rows(t.service, `payments?${range}`), PAYMENTS);
  });

  it("filters by provider, country_code and currency (codes upper-cased)", async () => {
    expectRows(await rows(t.admin, `payments?${range}&currency=usd`), where(PAYMENTS, (r) => r.currency === "USD"));
    expectRows(await rows(t.admin, `payments?${range}&country_code=ca`), where(PAYMENTS, (r) => r.country_code === "CA"));
    expectRows(await rows(t.admin, `payments?${range}&provider=stripe&currency=USD`), where(PAYMENTS, (r) => r.provider === "stripe" && r.currency === "USD"));
  });
});

describe("calls, engagement, content, cohort retention", () => {
  it("calls: admins and monitors get every row, grand total last", async () => {
    expectRows(await rows(t.admin, `calls?${range}`), CALLS);
    expectRows(await rows(t.monitor, `calls?${range}`), CALLS);
    expectRows(await rows(t.monitor, `calls?${range}&provider=twilio`), where(CALLS, (r) => r.provider === "twilio"));
  });

  it("engagement: one row per day, admins only", async () => {
    expectRows(await rows(t.superadmin, `engagement?${range}`), ENGAGEMENT);
    expectRows(await rows(t.admin, `engagement?start_date=${D2}&end_date=${D2}`), [ENGAGEMENT[1]]);
  });

  it("content: one row per day for admins and monitors", async () => {
    expectRows(await rows(t.monitor, `content?${range}`), CONTENT);
    expectRows(await rows(t.admin, `content?${range}`), CONTENT);
  });

  it("cohort retention by cohort and day, filtered by retention_days", async () => {
    expectRows(await rows(t.admin, `cohort-retention?cohort_start=${D1}&cohort_end=${D2}`), COHORTS);
    expectRows(await rows(t.admin, `cohort-retention?cohort_start=${D1}&cohort_end=${D2}&retention_days=1,0`),
      where(COHORTS, (r) => r.retention_day === 0 || r.retention_day === 1));
  });
});

describe("overview", () => {
  const totals = {
    fulfillment: where(FULFILLMENT, (r) => r.metric_date === D2 && r.service_code === null && r.reader_id === null),
    payments: where(PAYMENTS, (r) => r.provider === null),
    calls: where(CALLS, (r) => r.service_code === null),
    engagement: [ENGAGEMENT[1]],
    content: [CONTENT[1]],
    // Day-1 retention of D1's cohort is measured on D2.
    cohort_retention: where(COHORTS, (r) => r.cohort_date === D1 && r.retention_day === 1),
  };

  it("admins get every domain's totals of the day and the latest ETL run per job", async () => {
    const res = await getMetrics(t.admin, `overview?date=${D2}`);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({
      date: D2,
      ...totals,
      etl: [
        { job_name: "calls", status: "running", started_at: "2011-06-16T02:00:00.250000Z", finished_at: null, rows_written: null, error: null },
        { job_name: "payments", status: "succeeded", started_at: "2011-06-16T03:00:00.000000Z", finished_at: "2011-06-16T03:00:02.000000Z", rows_written: 6, error: null },
      ],
    });
    expect(Object.keys(res.body.data)).toEqual(["date", "fulfillment", "payments", "calls", "engagement", "content", "cohort_retention", "etl"]);
    expect(res.body.meta).toMatchObject({ endpoint: "overview", params: { date: D2 }, row_count: 10 });
  });

  it("monitors get calls and content only, without ETL status", async () => {
    const res = await getMetrics(t.monitor, `overview?date=${D2}`);
    expect(res.body.data).toEqual({ date: D2, calls: totals.calls, content: totals.content });
  });

  it("readers get their own all-services row of the day only", async () => {
    const today = utcDaysAgo(0);
    const res = await getMetrics(t.reader, `overview?date=${today}`);
    expect(res.body.data).toEqual({
      date: today,
      fulfillment: where(RECENT_FULFILLMENT, (r) => r.metric_date === today && r.service_code === null && r.reader_id === READER_1),
    });
    expect((await getMetrics(t.reader2, `overview?date=${today}`)).body.data).toEqual({ date: today, fulfillment: [] });
  });
});

describe("meta", () => {
  it("echoes the normalised params, counts the rows and says when the answer was computed", async () => {
    // The same question was asked above: the cached answer keeps the time it was computed.
    const computedAt = Date.parse((await getMetrics(t.admin, `payments?${range}&currency=USD`)).body.meta.generated_at);
    const res = await getMetrics(t.admin, `payments?${range}&currency=usd`);
    expect(res.headers.get("x-cache")).toBe("hit");
    expect(res.body.meta).toEqual({
      endpoint: "payments",
      params: { start_date: D1, end_date: D2, currency: "USD" },
      row_count: 2,
      time_zone: "UTC",
      other_time_zones: [],
      generated_at: expect.any(String),
    });
    expect(Date.parse(res.body.meta.generated_at)).toBe(computedAt);
    expect(computedAt).toBeLessThanOrEqual(Date.now());
  });
});

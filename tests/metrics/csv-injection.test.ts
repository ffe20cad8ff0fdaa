// CSV formula injection over HTTP: payment rows whose provider a spreadsheet would run as a formula
// come out of GET /metrics/payments?format=csv neutralised, while their money columns (negative
// revenue included) stay numbers.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mintRoleToken } from "../../stack/keys.ts";
import { connect } from "../helpers/db.ts";
import { getMetrics } from "./client.ts";

const sql = connect();
const DAY = "2011-07-21"; // no other suite writes this day
const PROVIDERS = ['=HYPERLINK("http://evil.example","x")', "@SUM(A1:A9)", "+cmd", "-cmd", "\tcmd", "\rcmd"];

const remove = () => sql`delete from public.metrics_daily_payments where metric_date = ${DAY}`;

beforeAll(async () => {
  await remove();
  const rows = PROVIDERS.map((provider, i) => ({
    metric_date: DAY, provider, country_code: "SA", currency: "SAR", attempts: i + 1, successes: i, refunds: 1,
    gross_cents: 0, refunded_cents: 123, revenue_cents: -123,
  }));
  await sql`insert into public.metrics_daily_payments ${sql(rows)}`;
});

afterAll(async () => {
  await remove();
  await sql.end();
});

describe("CSV formula injection", () => {
  it("prefixes formula-like text cells with an apostrophe and keeps -123 a number", async () => {
    const res = await getMetrics(await mintRoleToken("admin"), `payments?start_date=${DAY}&end_date=${DAY}&format=csv`);
    expect(res.status).toBe(200);
    const lines = (res.body as string).split("\r\n");
    const fields = (p: string) => lines.find((l) => l.includes(p))!;
    expect(fields("HYPERLINK")).toMatch(/^2011-07-21,"'=HYPERLINK\(""http:\/\/evil\.example"",""x""\)",SA,SAR,/);
    expect(fields("SUM")).toMatch(/^2011-07-21,'@SUM\(A1:A9\),SA,SAR,/);
    expect(fields("+cmd")).toMatch(/^2011-07-21,'\+cmd,SA,SAR,/);
    expect(fields("-cmd")).toMatch(/^2011-07-21,'-cmd,SA,SAR,/);
    expect(fields("\tcmd")).toMatch(/^2011-07-21,'\tcmd,SA,SAR,/);
    expect(res.body).toContain(`2011-07-21,"'\rcmd",SA,SAR,`);
    // Every data row: gross 0, refunded 123, revenue -123, unquoted numbers.
    const dataRows = lines.slice(1).filter(Boolean);
    expect(dataRows.length).toBe(PROVIDERS.length);
    expect((res.body as string).match(/,0,123,-123,/g)).toHaveLength(PROVIDERS.length);
  });
});

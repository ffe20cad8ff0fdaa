// Large answers sent as their rows arrive (arriving-rows.ts), end to end (real HTTP, real
// database): a range of 4,320 fulfillment rows (about 2 MiB) comes chunked, without a length,
// holds exactly the table's rows in answer order, and is cached whole (a hit has the same bytes
// but generated_at, and the same ETag, every time); a small answer and CSV still come whole.
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mintRoleToken } from "../../stack/keys.ts";
import { LOCAL_FUNCTIONS_URL } from "../../stack/local-settings.ts";
import { STREAM_AFTER_BYTES } from "../../supabase/functions/metrics/arriving-rows.ts";
import { TABLES } from "../../supabase/functions/metrics/tables.ts";
import { connect } from "../helpers/db.ts";
import { insertFulfillmentGrid, removeFulfillmentGrid } from "./fulfillment-grid.ts";

const FIRST = "2009-01-01"; // 120 days no other test uses
const LAST = "2009-04-30";

const sql = connect();
let admin = "";

type Raw = { status: number; headers: http.IncomingHttpHeaders; body: Buffer };

/** GET with node:http, which shows the transfer encoding fetch hides. */
function get(path: string, headers: Record<string, string> = {}): Promise<Raw> {
  return new Promise((resolve, reject) => {
    http.get(`${LOCAL_FUNCTIONS_URL}/metrics/${path}`, { headers: { authorization: `Bearer ${admin}`, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    }).on("error", reject);
  });
}

const withoutGeneratedAt = (body: Buffer) => {
  const answer = JSON.parse(body.toString("utf8"));
  delete answer.meta.generated_at;
  return answer;
};

beforeAll(async () => {
  admin = await mintRoleToken("admin");
  await insertFulfillmentGrid(sql, FIRST, LAST, "a900");
});

afterAll(async () => {
  await removeFulfillmentGrid(sql, FIRST, LAST);
  await sql.end();
});

describe("a large rows answer", () => {
  const range = `fulfillment?start_date=${FIRST}&end_date=${LAST}`;

  it("is sent chunked as it arrives, with the table's rows in answer order", async () => {
    const res = await get(range);
    expect(res.status).toBe(200);
    expect(res.headers["x-cache"]).toBe("miss");
    expect(res.headers["transfer-encoding"]).toBe("chunked");
    expect(res.headers["content-length"]).toBeUndefined();
    expect(res.body.byteLength).toBeGreaterThan(4 * STREAM_AFTER_BYTES);
    const answer = JSON.parse(res.body.toString("utf8"));
    const columns = TABLES.fulfillment.columns;
    const expected = await sql.unsafe(
      `select ${columns.map((c) => (c === "metric_date" ? "metric_date::text" : c)).join(", ")}
       from public.metrics_daily_fulfillment where metric_date between $1 and $2
       order by metric_date, service_code nulls last, reader_id nulls last`, [FIRST, LAST]);
    expect(expected.length).toBe(120 * 36);
    expect(answer.data).toEqual(expected.map((r) => ({ ...r })));
    expect(answer.meta).toMatchObject({ endpoint: "fulfillment", row_count: 120 * 36 });
    expect(Object.keys(answer.data[0])).toEqual(columns);
  });

  it("is cached whole: the hit has the same answer and ETag, with a length", async () => {
    const miss = await get(`${range}&service_code=tarot`);
    const hit = await get(`${range}&service_code=tarot`);
    expect([miss.headers["x-cache"], hit.headers["x-cache"]]).toEqual(["miss", "hit"]);
    expect(miss.headers["content-length"]).toBeUndefined();
    expect(Number(hit.headers["content-length"])).toBe(hit.body.byteLength);
    expect(hit.headers.etag).toBe(miss.headers.etag);
    expect(withoutGeneratedAt(hit.body)).toEqual(withoutGeneratedAt(miss.body));
    expect(withoutGeneratedAt(miss.body).meta.row_count).toBe(120 * 9);
    // A hit sends the cached bytes without copying them (one chunk): they stay whole for the next.
    const again = await get(`${range}&service_code=tarot`);
    expect(again.headers["x-cache"]).toBe("hit");
    expect(again.body.equals(hit.body)).toBe(true);
    const notModified = await get(`${range}&service_code=tarot`, { "if-none-match": String(miss.headers.etag) });
    expect(notModified.status).toBe(304);
  });

  it("as CSV comes whole, with the same rows", async () => {
    const res = await get(`${range}&format=csv`);
    expect(res.status).toBe(200);
    expect(Number(res.headers["content-length"])).toBe(res.body.byteLength);
    expect(res.body.toString("utf8").trimEnd().split("\r\n").length).toBe(1 + 120 * 36);
  });

  it("a small one comes whole", async () => {
    const res = await get(`fulfillment?start_date=${FIRST}&end_date=2009-01-05`);
    expect(res.status).toBe(200);
    expect(Number(res.headers["content-length"])).toBe(res.body.byteLength);
    expect(res.body.byteLength).toBeLessThan(STREAM_AFTER_BYTES);
    expect(JSON.parse(res.body.toString("utf8")).data.length).toBe(5 * 36);
  });
});

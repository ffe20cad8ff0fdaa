// Paging long ranges through PostgREST under RLS (docs/bi.md): requests emulated statement for
// statement (postgrest.ts) over 1,000+ rows. A request without a range is cut to max_rows (the
// exact count says so); pages with Range/limit+offset ordered by the table's unique key concatenate
// to exactly the ordered set the caller may see: no gap, no duplicate. For an admin, the BI login
// and a reader, who sees only their own rows of the last 30 days.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "../helpers/db.ts";
import { MAX_ROWS, readAllPages, postgrestRead, type PostgrestPage, type PostgrestRead } from "./postgrest.ts";

const sql = connect();
const PREFIX = "bi-paging-"; // service codes of this suite only
const READER = "b1000000-0000-4000-8000-000000000001";
const OTHER_READER = "b1000000-0000-4000-8000-000000000002";
const SERVICES = 40;
const DAYS = 32; // UTC today - 0 .. - 31: day -31 is outside the reader's window

const claims = (role: string, sub: string) => ({ sub, role: "authenticated", aud: "authenticated", app_metadata: { provider: "email", role } });
const ADMIN = { role: "authenticated", claims: claims("admin", "b1000000-0000-4000-8000-0000000000ad") };
const BI = { role: "bi_reader", claims: null };
const AS_READER = { role: "authenticated", claims: claims("reader", READER) };

/** GET /rest/v1/metrics_daily_fulfillment?service_code=like.bi-paging-*&order=metric_date.asc,service_code.asc,reader_id.asc.nullslast */
const fulfillment = { table: "metrics_daily_fulfillment", filters: [{ column: "service_code", op: "like" as const, value: `${PREFIX}*` }],
  order: [["metric_date", "asc"], ["service_code", "asc"], ["reader_id", "asc", true]] as PostgrestRead["order"] };

const keyOf = (r: Record<string, unknown>) => `${r.metric_date}|${r.service_code}|${r.reader_id}`;
const keys = (pages: PostgrestPage[]) => pages.flatMap((p) => p.rows.map(keyOf));

/** The keys a caller may see, in the same order, read as the superuser with the policy's conditions spelled out. */
async function expectedKeys(readerOnly: boolean, from = "public.metrics_daily_fulfillment"): Promise<string[]> {
  const own = readerOnly ? `and reader_id = '${READER}' and metric_date >= (now() at time zone 'utc')::date - 30` : "";
  const rows = await sql.unsafe(
    `select to_char(metric_date, 'YYYY-MM-DD') as metric_date, service_code, reader_id from ${from}
     where service_code like $1 ${own} order by metric_date, service_code, reader_id nulls last`, [`${PREFIX}%`]);
  return rows.map(keyOf);
}

async function cleanup() {
  await sql`delete from public.metrics_daily_fulfillment where service_code like ${PREFIX + "%"}`;
}

beforeAll(async () => {
  await cleanup();
  // Per service and day: the reader's row, a total row, and for 10 services another reader's row.
  await sql`
    insert into public.metrics_daily_fulfillment (metric_date, service_code, reader_id, orders_created)
    select (now() at time zone 'utc')::date - d, ${PREFIX} || lpad(s::text, 2, '0'), r.id, s + d
    from generate_series(0, ${DAYS - 1}) as d, generate_series(0, ${SERVICES - 1}) as s,
      lateral (values ('own', ${READER}::uuid), ('total', null), ('other', ${OTHER_READER}::uuid)) as r (kind, id)
    where r.kind <> 'other' or s < 10`;
});

afterAll(async () => {
  await cleanup();
  await sql.end();
});

describe("PostgREST paging under RLS", () => {
  it("seeds more rows than max_rows for every caller", async () => {
    expect(MAX_ROWS).toBe(1000);
    expect((await expectedKeys(false)).length).toBe(SERVICES * DAYS * 2 + 10 * DAYS);
    expect((await expectedKeys(true)).length).toBe(SERVICES * 31);
  });

  it("a request without a range is silently cut to max_rows; the exact count and Content-Range show it", async () => {
    const page = await postgrestRead(sql, { ...ADMIN, ...fulfillment, offset: 0 });
    expect(page.rows.length).toBe(MAX_ROWS);
    expect(page.total).toBe(SERVICES * DAYS * 2 + 10 * DAYS);
    expect(page.status).toBe(206);
    expect(page.contentRange).toBe(`0-999/${page.total}`);
    // Asking for more than max_rows in one Range is cut too.
    expect((await postgrestRead(sql, { ...ADMIN, ...fulfillment, offset: 0, limit: 5000 })).rows.length).toBe(MAX_ROWS);
  });

  it.each([
    ["an admin (JWT app_metadata.role = admin)", ADMIN, false],
    ["the BI login bi_reader (no claims)", BI, false],
    ["a reader: only their own rows of the last 30 days", AS_READER, true],
  ] as const)("Range pages of max_rows concatenate to the full ordered set for %s", async (_who, caller, readerOnly) => {
    const pages = await readAllPages(sql, { ...caller, ...fulfillment }, MAX_ROWS);
    const expected = await expectedKeys(readerOnly);
    expect(pages.length).toBe(Math.ceil(expected.length / MAX_ROWS));
    expect(pages.every((p) => p.total === expected.length)).toBe(true);
    const got = keys(pages);
    expect(new Set(got).size).toBe(got.length); // no duplicate
    expect(got).toEqual(expected); // no gap, same order
    expect(pages.map((p) => p.contentRange)).toEqual(
      pages.map((_, i) => `${i * MAX_ROWS}-${Math.min((i + 1) * MAX_ROWS, expected.length) - 1}/${expected.length}`));
  });

  it("the reader's pages hold only their own rows inside the window", async () => {
    const pages = await readAllPages(sql, { ...AS_READER, ...fulfillment }, 300);
    const rows = pages.flatMap((p) => p.rows);
    expect(rows.length).toBe(SERVICES * 31);
    expect(rows.every((r) => r.reader_id === READER)).toBe(true);
    const oldest = rows.map((r) => r.metric_date as string).sort()[0];
    const [{ cutoff }] = await sql`select to_char((now() at time zone 'utc')::date - 30, 'YYYY-MM-DD') as cutoff`;
    expect(oldest).toBe(cutoff);
  });

  it("limit/offset pages of an aggregation-safe view concatenate too (bi_reader, odd page size)", async () => {
    const detail = { ...fulfillment, table: "metrics_fulfillment_detail" };
    const pages = await readAllPages(sql, { ...BI, ...detail }, 333);
    const expected = await expectedKeys(false, "public.metrics_fulfillment_detail");
    expect(expected.length).toBe(SERVICES * DAYS + 10 * DAYS);
    expect(keys(pages)).toEqual(expected);
  });
});

// The response contract the served row JSON must keep, for every range endpoint: the `data` of an
// answer is exactly what Postgres makes of the contract columns of the caller's rows (row_to_json
// of the fields of tables.ts, in that order), in contract order, whatever the values: nulls, the
// largest bigint, doubles that need 17 digits, the smallest and largest doubles, -0, text in
// Arabic, with quotes, backslashes, control characters and emoji; rows written by a session with
// other float settings; a 366-day range of 36 rows a day written in shuffled order. Compared as
// text (whitespace between tokens aside), so a number keeps its exact digits.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mintRoleToken } from "../../stack/keys.ts";
import { type MetricsTable, TABLES } from "../../supabase/functions/metrics/tables.ts";
import { connect } from "../helpers/db.ts";
import { callFunction } from "../helpers/functions.ts";

const sql = connect();
const YEAR = ["2008-01-01", "2008-12-31"] as const; // a leap year: 366 days no other suite uses
const LARGE_SERVICE = "row-json-large"; // the 366-day rows of the last test
const ARABIC = "قراءة التاروت";
const TEXTS = [ARABIC, 'quote " and \\ backslash', "line\nbreak\ttab\u0001ctl", "emoji 🔮 ok", "=SUM(A1)", "plain"];
// As text, so that -0 survives the trip through JSON to the insert.
const DOUBLES = ["0.30000000000000004", String(1 / 3), "5e-324", "1.7976931348623157e308", "123456789.125", "-0", "1e21", String(2 ** -20), "0.7142857142857143"];
const MAX_BIGINT = "9223372036854775807";
let admin: string;

/** The JSON text without the whitespace between tokens (strings kept as they are). */
function minify(json: string): string {
  let out = "";
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const ch = json[i];
    if (inString) {
      out += ch;
      if (ch === "\\") out += json[++i];
      else if (ch === '"') inString = false;
    } else if (ch === '"') {
      inString = true;
      out += ch;
    } else if (!/\s/.test(ch)) {
      out += ch;
    }
  }
  return out;
}

type Column = { column_name: string; data_type: string };

/** Row i of a table: the day 2008-01-(i+1), each text dimension one of TEXTS (null on every third
 * row: a total row), uuids, counts (one the largest bigint), and doubles from DOUBLES or null. */
function edgeRow(t: MetricsTable, types: Map<string, string>, i: number): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  t.columns.forEach((c, j) => {
    const type = types.get(c);
    if (c === t.dateColumn) row[c] = `2008-01-${String(i + 1).padStart(2, "0")}`;
    else if (c === "retention_day") row[c] = i;
    else if (c === "currency") row[c] = ["USD", "EUR", "SAR"][i % 3];
    else if (type === "text") row[c] = i % 3 === 2 ? null : TEXTS[(i + j) % TEXTS.length];
    else if (type === "uuid") row[c] = i % 3 === 2 ? null : `c1000000-0000-4000-8000-00000000000${i % 10}`;
    else if (type === "bigint") row[c] = i === 1 && j % 2 === 0 ? MAX_BIGINT : String(i * 1000 + j);
    else if (type === "double precision") row[c] = (i + j) % 4 === 3 ? null : DOUBLES[(i + j) % DOUBLES.length];
    else throw new Error(`${t.table}.${c}: no edge value for ${type}`);
  });
  return row;
}

/** The text the contract asks for: row_to_json of the contract columns, in contract order. */
async function expectedData(t: MetricsTable, where: string, params: string[]): Promise<{ data: string; n: number }> {
  const order = [t.dateColumn, ...t.dimensions].map((c) => `${c} asc nulls last`).join(", ");
  const [row] = await sql.unsafe(
    `select coalesce('[' || string_agg(row_to_json(t)::text, ',' order by ${order}) || ']', '[]') as data, count(*)::int as n
     from (select ${t.columns.join(", ")} from public.${t.table} where ${where}) as t`,
    params,
  );
  return { data: row.data as string, n: row.n as number };
}

/** GET as admin; the raw text of `data` and the parsed body. */
async function answer(path: string): Promise<{ data: string; body: { data: Record<string, unknown>[]; meta: { row_count: number } } }> {
  const res = await callFunction(`metrics/${path}`, { headers: { Authorization: `Bearer ${admin}` } });
  const text = await res.text();
  expect(res.status, text.slice(0, 300)).toBe(200);
  expect(text.startsWith('{"data":')).toBe(true);
  return { data: text.slice('{"data":'.length, text.lastIndexOf(',"meta":')), body: JSON.parse(text) };
}

const rangeParams = (t: MetricsTable, start: string, end: string) =>
  t.dateColumn === "cohort_date" ? `cohort_start=${start}&cohort_end=${end}` : `start_date=${start}&end_date=${end}`;

async function cleanup() {
  for (const t of Object.values(TABLES)) {
    await sql.unsafe(`delete from public.${t.table} where ${t.dateColumn} between '${YEAR[0]}' and '${YEAR[1]}'`);
  }
}

beforeAll(async () => {
  admin = await mintRoleToken("admin");
  await cleanup();
  // Written by a session whose float output rounds to 15 digits (extra_float_digits = 0): what the
  // API serves must not depend on the writer's settings.
  await sql.begin(async (tx) => {
    await tx`set local extra_float_digits = 0`;
    for (const t of Object.values(TABLES)) {
      const columns = await tx<Column[]>`select column_name, data_type from information_schema.columns
        where table_schema = 'public' and table_name = ${t.table}`;
      const types = new Map(columns.map((c) => [c.column_name, c.data_type]));
      const rows = Array.from({ length: 6 }, (_, i) => edgeRow(t, types, i));
      await tx.unsafe(
        `insert into public.${t.table} (${t.columns.join(", ")})
         select ${t.columns.join(", ")} from json_populate_recordset(null::public.${t.table}, $1::json)`,
        [rows as never],
      ).catch((e) => { throw new Error(`${t.table}: ${e.message}`); });
    }
  });
});

afterAll(async () => {
  await cleanup();
  await sql.end();
});

describe("row JSON of every range endpoint", () => {
  for (const [endpoint, t] of Object.entries(TABLES)) {
    it(`${endpoint}: data is row_to_json of the contract columns, in contract order, digits and text intact`, async () => {
      const { data, body } = await answer(`${endpoint}?${rangeParams(t, YEAR[0], YEAR[1])}`);
      const expected = await expectedData(t, `${t.dateColumn} between $1 and $2`, [...YEAR]);
      expect(expected.n).toBe(6);
      expect(minify(data)).toBe(minify(expected.data));
      expect(body.meta.row_count).toBe(6);
      for (const row of body.data) expect(Object.keys(row)).toEqual([...t.columns]);
    });
  }

  it("doubles keep all 17 digits although the writer's session rounded to 15", async () => {
    const { body } = await answer(`fulfillment?${rangeParams(TABLES.fulfillment, YEAR[0], YEAR[1])}`);
    const rates = body.data.map((r) => r.approval_rate);
    expect(rates).toContain(0.1 + 0.2); // 0.30000000000000004, not 0.3
    expect(rates).toContain(1 / 3);
    expect(rates).not.toContain(0.3);
  });

  it("text fields come back exactly, Arabic included, in JSON and in CSV", async () => {
    const { body } = await answer(`calls?${rangeParams(TABLES.calls, YEAR[0], YEAR[1])}`);
    const texts = body.data.flatMap((r) => [r.service_code, r.provider]);
    for (const s of TEXTS) expect(texts).toContain(s);
    const csv = await callFunction(`metrics/calls?${rangeParams(TABLES.calls, YEAR[0], YEAR[1])}&format=csv`, {
      headers: { Authorization: `Bearer ${admin}` },
    });
    const text = await csv.text();
    expect(text).toContain(`,${ARABIC},`);
    expect(text.split("\r\n").filter(Boolean)).toHaveLength(1 + 6);
  });

  it("an empty range is [] with row_count 0", async () => {
    const { data, body } = await answer(`payments?start_date=2008-06-01&end_date=2008-06-30`);
    expect(data).toBe("[]");
    expect(body.meta.row_count).toBe(0);
  });
});

describe("a 366-day range", () => {
  beforeAll(async () => {
    // 36 rows a day, written in random order: the answer's order may not come from the write order.
    await sql`
      insert into public.metrics_daily_fulfillment (metric_date, service_code, reader_id, orders_created, approval_rate)
      select d::date, s, r::uuid, (extract(doy from d) * 100 + coalesce(length(s), 0))::bigint, 1.0 / (1 + extract(doy from d)::int)
      from generate_series(${YEAR[0]}::date, ${YEAR[1]}::date, interval '1 day') as d,
        unnest(array[${LARGE_SERVICE}, ${LARGE_SERVICE + "-b"}, ${ARABIC}, null]) as s,
        unnest(array['c2000000-0000-4000-8000-000000000001', 'c2000000-0000-4000-8000-000000000002', 'c2000000-0000-4000-8000-000000000003',
          'c2000000-0000-4000-8000-000000000004', 'c2000000-0000-4000-8000-000000000005', 'c2000000-0000-4000-8000-000000000006',
          'c2000000-0000-4000-8000-000000000007', 'c2000000-0000-4000-8000-000000000008', null]) as r
      where d::date > '2008-01-31' or s is not null or r is not null
      order by random()`;
  });

  it("answers every row of the year in contract order, exactly as Postgres renders them", async () => {
    const t = TABLES.fulfillment;
    const { data, body } = await answer(`fulfillment?${rangeParams(t, YEAR[0], YEAR[1])}`);
    const expected = await expectedData(t, `${t.dateColumn} between $1 and $2`, [...YEAR]);
    expect(expected.n).toBeGreaterThan(13_000);
    expect(body.meta.row_count).toBe(expected.n);
    expect(minify(data)).toBe(minify(expected.data));
    expect(body.data[0].metric_date).toBe(YEAR[0]);
    expect(body.data.at(-1)).toMatchObject({ metric_date: YEAR[1], service_code: null, reader_id: null });
  });

  it("filters keep the order too", async () => {
    const t = TABLES.fulfillment;
    const { data } = await answer(`fulfillment?${rangeParams(t, YEAR[0], YEAR[1])}&service_code=${encodeURIComponent(ARABIC)}`);
    const expected = await expectedData(t, `${t.dateColumn} between $1 and $2 and service_code = $3`, [...YEAR, ARABIC]);
    expect(expected.n).toBeGreaterThanOrEqual(366 * 9);
    expect(minify(data)).toBe(minify(expected.data));
  });
});

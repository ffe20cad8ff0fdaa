// Reads a metrics table for a date range as the caller (RLS decides the rows). Every row carries
// the JSON the API serves for it (api_row, a generated column: schemas/metrics/kpis.sql), so
// Postgres only joins stored texts, in contract order, and the function passes the bytes on
// without decoding them (postgres.js raw rows): no per-row or per-value work in either. The texts
// come joined a day at a time, as the scan reaches each day, so that a large answer can be sent
// on while the rest is read (rows-stream.ts).
import type { Tx } from "../_shared/db.ts";
import type { MetricsTable } from "./tables.ts";

/**
 * Receives an answer's rows as they arrive, in answer order: their JSON objects (UTF-8, no brackets)
 * joined by commas, every chunk but the first beginning with one, so that the chunks only need to be
 * concatenated.
 */
export type RowsSink = (items: Uint8Array) => void;

/** Date, then each dimension ascending with total rows (null) last: one deterministic order. */
export const orderBy = (t: MetricsTable, alias = "t") =>
  [t.dateColumn, ...t.dimensions].map((c) => `${alias}.${c} asc nulls last`).join(", ");

// Each table's unique key is (date, dimensions in contract order), ascending with nulls last: an
// index scan of the range yields the rows in contract order. With sorting off the planner takes
// that path instead of sorting the range's wide rows by text dimensions; the aggregate over the
// ordered subquery (no join above it) keeps the order.
const WITHOUT_SORT = "select set_config('enable_sort', 'off', true)";

// Each day's texts lead with a comma, so that the days only need to be concatenated (the first
// day's comma is left out without a copy).
const dayByDay = (t: MetricsTable, where: string) =>
  `select count(*)::int as row_count, ',' || string_agg(t.api_row::text, ',') as items
   from (select r.${t.dateColumn} as day, r.api_row from public.${t.table} as r where ${where} order by ${orderBy(t, "r")}) as t
   group by t.day order by t.day`;

export type RangeQuery = {
  start: string;
  end: string;
  filters: Record<string, string | undefined>;
  retentionDays?: number[];
};

const decoder = new TextDecoder();

/** Passes the range's rows to `sink` a day at a time; resolves to their count. */
export async function queryRange(tx: Tx, t: MetricsTable, q: RangeQuery, sink: RowsSink): Promise<number> {
  const params: string[] = [q.start, q.end];
  const where = [`${t.dateColumn} between $1::date and $2::date`];
  for (const name of t.filters) {
    const value = q.filters[name];
    if (value === undefined) continue;
    params.push(value);
    where.push(`${name} = $${params.length}${name === "reader_id" ? "::uuid" : ""}`);
  }
  if (q.retentionDays) {
    params.push(`{${q.retentionDays.join(",")}}`);
    where.push(`retention_day = any($${params.length}::int[])`);
  }
  await tx.unsafe(WITHOUT_SORT);
  let rowCount = 0;
  await tx.unsafe(dayByDay(t, where.join(" and ")), params).raw().forEach(([count, items]) => {
    sink(rowCount === 0 ? items.subarray(1) : items);
    rowCount += Number(decoder.decode(count));
  });
  return rowCount;
}

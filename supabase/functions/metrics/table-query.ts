// Reads a metrics table for a date range as the caller (RLS decides the rows). Every row carries
// the JSON the API serves for it (api_row, a generated column: schemas/metrics/kpis.sql), so
// Postgres only joins stored texts, in contract order, and the function passes the bytes on
// without decoding them (postgres.js raw rows): no per-row or per-value work in either.
import type { Tx } from "../_shared/db.ts";
import type { MetricsTable } from "./tables.ts";

/** The rows' JSON objects joined by commas, UTF-8, without the brackets; null when there is no row. */
export type RowsJson = { items: Uint8Array | null; rowCount: number };

/** Date, then each dimension ascending with total rows (null) last: one deterministic order. */
export const orderBy = (t: MetricsTable, alias = "t") =>
  [t.dateColumn, ...t.dimensions].map((c) => `${alias}.${c} asc nulls last`).join(", ");

// Each table's unique key is (date, dimensions in contract order), ascending with nulls last: an
// index scan of the range yields the rows in contract order. With sorting off the planner takes
// that path instead of sorting the range's wide rows by text dimensions; the aggregate over the
// ordered subquery (no join above it) keeps the order.
const WITHOUT_SORT = "select set_config('enable_sort', 'off', true)";

const aggregate = (t: MetricsTable, where: string) =>
  `select count(*)::int as row_count, string_agg(t.api_row::text, ',') as items
   from (select r.api_row from public.${t.table} as r where ${where} order by ${orderBy(t, "r")}) as t`;

export type RangeQuery = {
  start: string;
  end: string;
  filters: Record<string, string | undefined>;
  retentionDays?: number[];
};

const decoder = new TextDecoder();

export async function queryRange(tx: Tx, t: MetricsTable, q: RangeQuery): Promise<RowsJson> {
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
  const [[rowCount, items]] = await tx.unsafe(aggregate(t, where.join(" and ")), params).raw();
  return { items, rowCount: Number(decoder.decode(rowCount)) };
}

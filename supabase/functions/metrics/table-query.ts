// Reads a metrics table for a date range as the caller (RLS decides the rows). Postgres builds
// the JSON array itself (json_agg in contract field order): no per-row work in the function,
// counts stay JSON numbers, dates come out as YYYY-MM-DD.
import type { Tx } from "../_shared/db.ts";
import type { MetricsTable } from "./tables.ts";

export type RowsJson = { rowsJson: string; rowCount: number };

/** Date, then each dimension ascending with total rows (null) last: one deterministic order. */
export const orderBy = (t: MetricsTable, alias = "t") =>
  [t.dateColumn, ...t.dimensions].map((c) => `${alias}.${c} asc nulls last`).join(", ");

const aggregate = (t: MetricsTable, where: string) =>
  `select count(*)::int as row_count, coalesce(json_agg(t order by ${orderBy(t)}), '[]')::text as rows_json
   from (select ${t.columns.join(", ")} from public.${t.table} where ${where}) as t`;

export type RangeQuery = {
  start: string;
  end: string;
  filters: Record<string, string | undefined>;
  retentionDays?: number[];
};

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
  const [row] = await tx.unsafe(aggregate(t, where.join(" and ")), params);
  return { rowsJson: row.rows_json as string, rowCount: row.row_count as number };
}

// The data versions of the tables an endpoint reads (analytics.metrics_table_versions, kept by a
// statement-level trigger on each table): one cheap query as the function's own connection role
// (the table is granted to nobody else; it holds counters, no user data), with the timeouts every
// statement of a function has, in one round trip (db.ts oneStatement).
// Read BEFORE the data: an answer computed afterwards is at least as new as the versions it is
// stored under, and any later write commits a higher version, so a cached answer is never older
// than the data its key names.
import { db, oneStatement } from "../_shared/db.ts";
import { sqlLiteral } from "../_shared/sql-literal.ts";

// sum(version) grows with every committed write statement; max(changed_at) also tells apart
// states whose sums coincide after a database reset or restore.
const versionsSql = (tables: readonly string[]) => `
  select coalesce(string_agg(table_name || ':' || v || '@' || t, ',' order by table_name), '') as versions
  from (select table_name, sum(version) as v, (extract(epoch from max(changed_at)) * 1e6)::bigint as t
        from analytics.metrics_table_versions where table_name = any(array[${tables.map(sqlLiteral).join(", ")}]::text[])
        group by table_name) as s`;

/** "table:version@micros,..." for the given tables (a table never written is absent). */
export async function dataVersions(tables: readonly string[]): Promise<string> {
  const [row] = await oneStatement<{ versions: string }>(db(), versionsSql(tables));
  return row.versions;
}

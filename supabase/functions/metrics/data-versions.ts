// The data versions of the tables an endpoint reads (analytics.metrics_table_versions, kept by a
// statement-level trigger on each table): one cheap autocommit query as the function's own
// connection role (the table is granted to nobody else; it holds counters, no user data).
// Read BEFORE the data: an answer computed afterwards is at least as new as the versions it is
// stored under, and any later write commits a higher version, so a cached answer is never older
// than the data its key names.
import { db } from "../_shared/db.ts";

// sum(version) grows with every committed write statement; max(changed_at) also tells apart
// states whose sums coincide after a database reset or restore.
const VERSIONS_SQL = `
  select coalesce(string_agg(table_name || ':' || v || '@' || t, ',' order by table_name), '') as versions
  from (select table_name, sum(version) as v, (extract(epoch from max(changed_at)) * 1e6)::bigint as t
        from analytics.metrics_table_versions where table_name = any($1::text[]) group by table_name) as s`;

/** "table:version@micros,..." for the given tables (a table never written is absent). */
export async function dataVersions(tables: readonly string[]): Promise<string> {
  const [row] = await db().unsafe(VERSIONS_SQL, [tables as string[]]);
  return row.versions as string;
}

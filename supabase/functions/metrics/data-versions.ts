// What an answer is read against, in one cheap query as the function's own connection role (the
// version table is granted to nobody else; it holds counters, no user data), with the timeouts
// every statement of a function has, in one round trip (db.ts oneStatement):
// - the data versions of the tables an endpoint reads (analytics.metrics_table_versions, kept by a
//   statement-level trigger on each table). Read BEFORE the data: an answer computed afterwards is
//   at least as new as the versions it is stored under, and any later write commits a higher
//   version, so a cached answer is never older than the data its key names;
// - the reporting time zone and today's local date in it (docs/design.md §10.1): metric dates are local
//   dates, and a reader's 30-day window moves with the local day.
import { db, oneStatement } from "../_shared/db.ts";
import { sqlLiteral } from "../_shared/sql-literal.ts";

// sum(version) grows with every committed write statement; max(changed_at) also tells apart
// states whose sums coincide after a database reset or restore.
const versionsSql = (tables: readonly string[]) => tables.length === 0 ? "''" : `(
  select coalesce(string_agg(table_name || ':' || v || '@' || t, ',' order by table_name), '')
  from (select table_name, sum(version) as v, (extract(epoch from max(changed_at)) * 1e6)::bigint as t
        from analytics.metrics_table_versions where table_name = any(array[${tables.map(sqlLiteral).join(", ")}]::text[])
        group by table_name) as s)`;

export type ReadingContext = {
  /** "table:version@micros,..." for the given tables (a table never written is absent). */
  versions: string;
  timeZone: string;
  /** Today's date (YYYY-MM-DD) in the reporting time zone. */
  today: string;
};

export async function readingContext(tables: readonly string[]): Promise<ReadingContext> {
  const [row] = await oneStatement<{ versions: string; time_zone: string; today: string }>(db(), `
    select ${versionsSql(tables)} as versions, analytics.reporting_time_zone() as time_zone,
      analytics.reporting_today()::text as today`);
  return { versions: row.versions, timeZone: row.time_zone, today: row.today };
}

// Days of a requested range that were computed in another reporting time zone than today's (days
// older than raw retention keep the zone they were computed in; analytics.etl_days), so that an
// answer says when its dates are not all local dates of meta.time_zone (docs/design.md §10.1).
// Read as the function's own connection role (the table is granted to nobody else; it holds dates
// and zone names only).
import { db, oneStatement } from "../_shared/db.ts";
import { sqlLiteral } from "../_shared/sql-literal.ts";

export type OtherTimeZone = { time_zone: string; first_date: string; last_date: string; days: number };

export async function otherTimeZones(start: string, end: string, timeZone: string): Promise<OtherTimeZone[]> {
  return await oneStatement<OtherTimeZone>(db(), `
    select time_zone, min(metric_date)::text as first_date, max(metric_date)::text as last_date, count(*)::int as days
    from analytics.etl_days
    where metric_date between ${sqlLiteral(start)}::date and ${sqlLiteral(end)}::date and time_zone <> ${sqlLiteral(timeZone)}
    group by time_zone order by min(metric_date)`);
}

// `overview?date=D`: one object with a section per domain the caller may use (the caller's total
// rows of that day, the same JSON as the domain's endpoint serves: api_row), plus ETL status for
// admins. One query.
import { type Caller, isAdmin } from "../_shared/auth.ts";
import type { Tx } from "../_shared/db.ts";
import { mayUse } from "./access.ts";
import { orderBy } from "./table-query.ts";
import { TABLES } from "./tables.ts";

const jsonRows = (select: string, order: string) =>
  `(select coalesce(json_agg(t order by ${order}), '[]') from (${select}) as t)`;

// Latest run of each job for the day; timestamps in UTC ISO 8601 whatever the session TimeZone.
const ETL_SECTION = jsonRows(
  `select distinct on (job_name) job_name, status,
     to_char(started_at at time zone 'utc', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as started_at,
     to_char(finished_at at time zone 'utc', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as finished_at,
     rows_written, error
   from public.etl_job_runs where target_date = $1::date order by job_name, started_at desc`,
  "t.job_name");

export type Overview = { dataJson: string; rowCount: number };

export async function queryOverview(tx: Tx, caller: Caller, date: string): Promise<Overview> {
  const sections = Object.entries(TABLES)
    .filter(([, t]) => mayUse(caller, t.roles))
    .map(([name, t]) => [name.replace("-", "_"), `(select coalesce(json_agg(r.api_row order by ${orderBy(t, "r")}), '[]') from public.${t.table} as r where ${t.overviewWhere})`]);
  if (isAdmin(caller)) sections.push(["etl", ETL_SECTION]);
  const fields = sections.map(([key, select]) => `'${key}', ${select}`).join(", ");
  const [row] = await tx.unsafe(`select json_build_object('date', $1::date, ${fields})::text as data`, [date]);
  const data = JSON.parse(row.data as string) as Record<string, unknown>;
  const rowCount = Object.values(data).reduce<number>((n, v) => n + (Array.isArray(v) ? v.length : 0), 0);
  return { dataJson: row.data as string, rowCount };
}

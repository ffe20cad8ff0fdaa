// `ops time-zone`: the reporting time zone, local today and the zones computed days were computed
// in. `ops time-zone set <zone>`: changes it (an IANA name) and runs the recomputation the change
// asks for (every day within raw retention) with the visible nightly run, a line of progress per day.
import { UsageError } from "../../lib/cli.ts";
import type { OpsSql } from "./db.ts";
import { printRows } from "./table.ts";
import { runNightlyInSteps } from "./nightly.ts";

export async function timeZone(sql: OpsSql, positional: string[]): Promise<number> {
  if (positional.length === 0) return await showTimeZone(sql);
  if (positional[0] !== "set" || positional.length !== 2) throw new UsageError("use: time-zone, or time-zone set <IANA zone, e.g. Asia/Riyadh>");
  let changed: { time_zone: string; previous: string; days_to_recompute: number };
  try {
    [{ changed }] = await sql<{ changed: typeof changed }[]>`select analytics.set_reporting_time_zone(${positional[1]}) as changed`;
  } catch (err) {
    if ((err as { code?: string }).code === "22023") throw new UsageError((err as Error).message);
    throw err;
  }
  if (changed.days_to_recompute === 0) {
    console.log(`reporting time zone is ${changed.time_zone} (unchanged)`);
    return 0;
  }
  console.log(`reporting time zone ${changed.previous} -> ${changed.time_zone}: recomputing ${changed.days_to_recompute} day(s) within raw retention`);
  return runNightlyInSteps(sql);
}

async function showTimeZone(sql: OpsSql): Promise<number> {
  const [now] = await sql<{ time_zone: string; local_today: string; local_time: string }[]>`
    select analytics.reporting_time_zone() as time_zone, analytics.reporting_today()::text as local_today,
      to_char(now() at time zone analytics.reporting_time_zone(), 'HH24:MI') as local_time`;
  console.log(`reporting time zone: ${now.time_zone} (local today ${now.local_today}, ${now.local_time})`);
  printRows("Computed days by the zone they were computed in", await sql`
    select time_zone, min(metric_date)::text as first_day, max(metric_date)::text as last_day, count(*)::int as days
    from analytics.etl_days group by time_zone order by min(metric_date)`);
  printRows("Days waiting for recomputation by the next nightly run", await sql`
    select reason, min(metric_date)::text as first_day, max(metric_date)::text as last_day, count(*)::int as days
    from analytics.etl_recompute_requests group by reason order by reason`);
  return 0;
}

// `ops rebuild --from A --to B`: every local day of the range recomputed from scratch, oldest first,
// with what that changes on other days (analytics.rebuild_metrics), a line of progress per day.
import { UsageError } from "../../lib/cli.ts";
import type { OpsSql } from "./db.ts";
import { parseDate } from "./args.ts";
import type { OpsFlags } from "./args.ts";

export async function rebuild(sql: OpsSql, flags: OpsFlags): Promise<number> {
  const from = parseDate(flags.from, "from");
  const to = parseDate(flags.to, "to");
  if (from > to) throw new UsageError(`--from ${from} is after --to ${to}`);
  console.log(`rebuilding ${from} .. ${to} (local days, up to yesterday)`);
  const days = await sql<{ d: string; status: string }[]>`
    select metric_date::text as d, status from analytics.rebuild_metrics(${from}::date, ${to}::date)`;
  return reportDays(days);
}

/** Prints how a run of days ended; exit code 1 when a day failed. */
export function reportDays(days: { d: string; status: string }[]): number {
  const failed = days.filter((r) => r.status !== "succeeded").map((r) => r.d);
  console.log(failed.length ? `${failed.length} of ${days.length} days failed: ${failed.join(", ")}` : `${days.length} day(s) computed`);
  return failed.length ? 1 : 0;
}

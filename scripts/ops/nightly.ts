// `ops nightly [--date TODAY]`: the nightly run now, as the schedule runs it (analytics.
// run_nightly_etl_in_steps): a line per day as each commits, visible meanwhile in `ops status`.
import type { OpsSql } from "./db.ts";
import { parseDate } from "./args.ts";
import type { OpsFlags } from "./args.ts";
import { reportDays } from "./rebuild.ts";

/** Runs the visible nightly (local today, or `today` for a catch-up as of that day) and reports its days. */
export async function runNightlyInSteps(sql: OpsSql, today: string | null = null): Promise<number> {
  await sql`call analytics.run_nightly_etl_in_steps(${today}::date)`;
  const [run] = await sql<{ days: string[]; failed: string[] }[]>`
    select days::text[] as days, failed_days::text[] as failed from analytics.etl_nightly_runs
    where backend_pid = pg_backend_pid() order by run_id desc limit 1`;
  return reportDays(run.days.map((d) => ({ d, status: run.failed.includes(d) ? "failed" : "succeeded" })));
}

export async function nightly(sql: OpsSql, flags: OpsFlags): Promise<number> {
  const today = flags.date === undefined ? null : parseDate(flags.date, "date");
  console.log(`nightly run${today ? ` as of ${today}` : ""}: progress in \`ops status\` meanwhile`);
  return runNightlyInSteps(sql, today);
}

// `ops etl --date D` / `ops etl --from A --to B`: the pipeline for each day, in date order
// (analytics.run_etl_day: visible while it runs).
// A failing day does not stop the backfill; it is reported and makes the exit code 1.
import type { OpsSql } from "./db.ts";
import { daysBetween, parseDate } from "./args.ts";
import type { OpsFlags } from "./args.ts";
import { UsageError } from "../../lib/cli.ts";

export async function runEtl(sql: OpsSql, flags: OpsFlags): Promise<number> {
  let days: string[];
  if (flags.date !== undefined) {
    if (flags.from !== undefined || flags.to !== undefined) throw new UsageError("use either --date or --from/--to");
    days = [parseDate(flags.date, "date")];
  } else {
    const from = parseDate(flags.from, "from");
    const to = parseDate(flags.to, "to");
    if (from > to) throw new UsageError(`--from ${from} is after --to ${to}`);
    days = daysBetween(from, to);
    if (days.length > 800) throw new UsageError("a backfill covers at most 800 days at once");
  }

  const failed: string[] = [];
  for (const [i, day] of days.entries()) {
    const t0 = performance.now();
    // A day in two transactions: its jobs' running rows are visible (ops status) while it computes.
    const [{ p_status: result }] = await sql<{ p_status: string }[]>`call analytics.run_etl_day(${day}::date, null, null, null)`;
    const jobs = await sql<{ job_name: string; status: string; rows_written: number | null; error: string | null }[]>`
      select distinct on (job_name) job_name, status, rows_written, error from public.etl_job_runs
      where target_date = ${day}::date and started_at >= now() - interval '1 day' order by job_name, started_at desc`;
    const bad = jobs.filter((j) => j.status !== "succeeded");
    if (bad.length) failed.push(day);
    const seconds = ((performance.now() - t0) / 1000).toFixed(2);
    const summary = jobs.map((j) => `${j.job_name}=${j.status === "succeeded" ? j.rows_written ?? 0 : j.status}`).join(" ");
    console.log(`[${i + 1}/${days.length}] ${day} ${bad.length ? "FAILED" : "ok"} in ${seconds}s  ${summary || String(result)}`);
    for (const j of bad) console.log(`    ${j.job_name}: ${j.status}${j.error ? ` — ${j.error}` : ""}`);
  }
  console.log(failed.length ? `${failed.length} of ${days.length} days failed: ${failed.join(", ")}` : `${days.length} day(s) computed`);
  return failed.length ? 1 : 0;
}

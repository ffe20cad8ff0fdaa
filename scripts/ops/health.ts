// `ops health`: the health report as the health endpoint gives it to admins (exit 0 healthy, 1 not),
// and the settings it judges by: `--run-at HH:MM` (nightly run, reporting time zone), `--grace 2h`
// (how long after it yesterday may be missing), `--stale-after 6h` (running job counts as stale).
import type { OpsSql } from "./db.ts";
import { parseDuration, parseTimeOfDay } from "./args.ts";
import type { OpsFlags } from "./args.ts";
import { printRows } from "./table.ts";
import { UsageError } from "../../lib/cli.ts";

type Report = { healthy: boolean; reasons: string[]; checked_at: string; running: Record<string, unknown>[]; checks: Record<string, unknown> };

async function applySettings(sql: OpsSql, flags: OpsFlags): Promise<boolean> {
  const runAt = flags["run-at"] === undefined ? null : parseTimeOfDay(flags["run-at"], "run-at");
  const grace = flags.grace === undefined ? null : parseDuration(flags.grace, "grace");
  const staleAfter = flags["stale-after"] === undefined ? null : parseDuration(flags["stale-after"], "stale-after");
  if (grace !== null && parseInt(grace, 10) > 20 * 60) throw new UsageError("--grace is at most 20h");
  if (staleAfter !== null && parseInt(staleAfter, 10) < 5) throw new UsageError("--stale-after is at least 5m");
  if (runAt === null && grace === null && staleAfter === null) return false;
  await sql`update analytics.ops_settings set
    nightly_run_at = coalesce(${runAt}::time, nightly_run_at),
    nightly_grace = coalesce(${grace}::interval, nightly_grace),
    stale_run_after = coalesce(${staleAfter}::interval, stale_run_after),
    updated_at = now()`;
  return true;
}

export async function printHealth(sql: OpsSql, flags: OpsFlags): Promise<number> {
  if (await applySettings(sql, flags)) console.log("settings updated");
  printRows("Health settings", await sql`
    select nightly_run_at::text as nightly_run_at, nightly_grace::text as grace, stale_run_after::text as stale_after
    from analytics.ops_settings`);

  const [{ report }] = await sql<{ report: Report }[]>`select analytics.health_report() as report`;
  const due = report.checks.latest_due_day as { date: string; due_at: string };
  console.log(`\n${report.healthy ? "HEALTHY" : "UNHEALTHY"} at ${report.checked_at}; latest due day ${due.date} (due ${due.due_at})`);
  for (const r of report.reasons) console.log(`  - ${r}`);
  printRows("Running ETL jobs", report.running);
  return report.healthy ? 0 : 1;
}

// Operator CLI: `npm run ops -- <command> [options]`. Talks to SUPABASE_DB_URL (or DATABASE_URL),
// defaulting to the local stack; safe against a hosted project (it only calls analytics.* functions
// and reads catalogs). Exit code 0 on success, 1 when work failed, 2 on bad usage.
import { connectOps } from "./ops/db.ts";
import { runEtl } from "./ops/etl.ts";
import { printStatus } from "./ops/status.ts";
import { ensurePartitions } from "./ops/partitions.ts";
import { purge } from "./ops/purge.ts";
import { erase } from "./ops/erase.ts";
import { rebuild } from "./ops/rebuild.ts";
import { timeZone } from "./ops/time-zone.ts";
import { nightly } from "./ops/nightly.ts";
import { printHealth } from "./ops/health.ts";
import { alerts } from "./ops/alerts.ts";
import { parseOpsArgs } from "./ops/args.ts";
import { runCli, UsageError } from "../lib/cli.ts";

const USAGE = `usage: npm run ops -- <command>
  etl --date YYYY-MM-DD            run the nightly pipeline for one day
  etl --from YYYY-MM-DD --to YYYY-MM-DD
                                   backfill: every day in the range, in date order
  rebuild --from YYYY-MM-DD --to YYYY-MM-DD
                                   recompute the range from scratch, and what it changes on
                                   other days (progress per day)
  time-zone                        the reporting time zone and the zones of computed days
  time-zone set <zone>             change it (IANA name, e.g. Asia/Riyadh) and recompute the days
                                   within raw retention (progress per day)
  nightly [--date TODAY]           the nightly run now (as of TODAY for a catch-up), committing day
                                   by day; its progress shows in ops status meanwhile
  status                           nightly runs in progress, running jobs, last ETL runs, failures, late days, freshness, partitions, cron
  partitions --ensure [--months N] create this month's and the next N (default 2) partitions
  purge [--raw-days N]             apply the retention policy now; --raw-days sets how many days of
                                   raw events it keeps (90 to 730, default 90)
  erase <user uuid>                GDPR erasure of one user; prints the receipt
  health [--run-at HH:MM] [--grace 2h] [--stale-after 6h]
                                   health report (exit 1 when unhealthy); the options change its settings
  alerts [status]                  alert webhook, silence, state and latest alerts
  alerts webhook <url> | --clear   where alerts go (Slack-compatible incoming webhook)
  alerts silence --for 2h [--reason text] | alerts unsilence
  alerts deliver                   evaluate health, then post due alerts (where pg_net is missing)`;

async function main(argv: string[]): Promise<number> {
  const { command, positional, flags } = parseOpsArgs(argv);
  if (!command || flags.help) {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  const sql = connectOps();
  try {
    switch (command) {
      case "etl": return await runEtl(sql, flags);
      case "status": return await printStatus(sql);
      case "partitions": return await ensurePartitions(sql, flags);
      case "purge": return await purge(sql, flags);
      case "erase": return await erase(sql, positional);
      case "rebuild": return await rebuild(sql, flags);
      case "time-zone": return await timeZone(sql, positional);
      case "nightly": return await nightly(sql, flags);
      case "health": return await printHealth(sql, flags);
      case "alerts": return await alerts(sql, positional, flags);
      default: throw new UsageError(`unknown command '${command}'`);
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
}

runCli("ops", () => main(process.argv.slice(2)), USAGE);

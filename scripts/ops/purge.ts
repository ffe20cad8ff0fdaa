// `ops purge`: apply the retention policy now (what the daily cron jobs do): raw events, metrics
// and ETL runs (purge_expired_data), then first-seen days, activity changes, alerts and nightly
// runs (purge_expired_state). `--raw-days N` first sets how many days of raw events are kept
// (ops_settings.raw_retention_days, 90 to 730).
import type { OpsSql } from "./db.ts";
import { parseDays } from "./args.ts";
import type { OpsFlags } from "./args.ts";

export async function purge(sql: OpsSql, flags: OpsFlags): Promise<number> {
  if (flags["raw-days"] !== undefined) {
    const days = parseDays(flags["raw-days"], "raw-days", 90, 730);
    await sql`update analytics.ops_settings set raw_retention_days = ${days}, updated_at = now()`;
  }
  const [{ days }] = await sql<{ days: number }[]>`select analytics.raw_retention_days() as days`;
  const [{ result }] = await sql<{ result: Record<string, unknown> }[]>`select analytics.purge_expired_data() as result`;
  const [{ state }] = await sql<{ state: Record<string, unknown> }[]>`select analytics.purge_expired_state() as state`;
  console.log(JSON.stringify({ raw_retention_days: days, ...result, ...state }, null, 2));
  return 0;
}

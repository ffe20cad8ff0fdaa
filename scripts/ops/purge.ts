// `ops purge`: apply the retention policy now (what the daily cron jobs do): raw events, metrics
// and ETL runs (purge_expired_data), then first-seen days, activity changes, alerts and nightly
// runs (purge_expired_state).
import type { OpsSql } from "./db.ts";

export async function purge(sql: OpsSql): Promise<number> {
  const [{ result }] = await sql<{ result: Record<string, unknown> }[]>`select analytics.purge_expired_data() as result`;
  const [{ state }] = await sql<{ state: Record<string, unknown> }[]>`select analytics.purge_expired_state() as state`;
  console.log(JSON.stringify({ ...result, ...state }, null, 2));
  return 0;
}

// `ops purge`: apply the retention policy now (what the daily cron job does).
import type { OpsSql } from "./db.ts";

export async function purge(sql: OpsSql): Promise<number> {
  const [{ result }] = await sql<{ result: unknown }[]>`select analytics.purge_expired_data() as result`;
  console.log(JSON.stringify(result, null, 2));
  return 0;
}

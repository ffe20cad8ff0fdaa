// `ops erase <uuid>`: GDPR erasure of one user; prints the receipt (no user id stored in it).
import { userInfo } from "node:os";
import type { OpsSql } from "./db.ts";
import { UsageError } from "../../lib/cli.ts";

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function erase(sql: OpsSql, positional: string[]): Promise<number> {
  const [userId] = positional;
  if (!userId || !UUID_RE.test(userId) || positional.length > 1) throw new UsageError("erase takes exactly one user uuid");
  console.error(`erasing ${userId} …`);
  const [{ receipt }] = await sql<{ receipt: unknown }[]>`
    select analytics.erase_user(${userId.toLowerCase()}::uuid, ${`ops-cli:${userInfo().username}`}) as receipt`;
  console.log(JSON.stringify(receipt, null, 2));
  return 0;
}

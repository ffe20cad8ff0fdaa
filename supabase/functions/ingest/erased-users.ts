// Which of a batch's users are on the GDPR suppression list (analytics.erased_subjects), whose
// events ingestion drops. The list holds keyed hashes (analytics.subject_hash), and a user's hash
// depends only on the user id and the project's fixed key (rotating the key would orphan the list
// itself), so an isolate asks the database for each user's hash once and keeps it: a batch of
// known users costs one probe of the list by hash and no HMAC in the database.
import type { Tx } from "../_shared/db.ts";
import { sqlTextArray } from "../_shared/sql-literal.ts";

/** Hashes kept per isolate (about 150 bytes each, so some 15 MB at most); the oldest go first. */
const MAX_CACHED_HASHES = 100_000;
const cached = new Map<string, string>(); // user id (lower case) -> subject hash, hex

/** The users among `userIds` (lower-case uuids) that have been erased. */
export async function erasedUsersIn(tx: Tx, userIds: Iterable<string>): Promise<Set<string>> {
  const hashes = new Map<string, string>(); // this batch's: hex -> user id
  const missing = new Set<string>();
  for (const user of userIds) {
    const hash = cached.get(user);
    if (hash) hashes.set(hash, user);
    else missing.add(user);
  }
  if (missing.size) {
    const rows = await tx.unsafe<{ user_id: string; hash: string }[]>(hashesSql(missing));
    for (const r of rows) {
      hashes.set(r.hash, r.user_id);
      remember(r.user_id, r.hash);
    }
  }
  if (!hashes.size) return new Set();
  const erased = await tx.unsafe<{ hash: string }[]>(erasedSql(hashes.keys()));
  return new Set(erased.map((r) => hashes.get(r.hash)!));
}

function remember(user: string, hash: string): void {
  if (cached.size >= MAX_CACHED_HASHES) cached.delete(cached.keys().next().value!);
  cached.set(user, hash);
}

/** Forgets every cached hash (the benchmark measures a cold isolate with it). */
export function clearHashCache(): void {
  cached.clear();
}

// Literal arrays (uuids and hex only): one round trip each instead of two (sql-literal.ts).
const hashesSql = (users: Iterable<string>) => `select h.user_id::text as user_id, encode(h.subject_hash, 'hex') as hash
  from analytics.subject_hashes(${sqlTextArray(users)}::uuid[]) as h`;
const erasedSql = (hashes: Iterable<string>) => `select encode(e, 'hex') as hash
  from analytics.erased_subjects_among(array(select decode(x, 'hex') from unnest(${sqlTextArray(hashes)}::text[]) as x)) as e`;

// Which of a batch's users are on the GDPR suppression list (analytics.erased_subjects), whose
// events ingestion drops. The list holds keyed hashes (analytics.subject_hash). Two things are
// kept per isolate, and neither can let an erased user's event through:
// - each user's hash: it depends only on the user id and the project's fixed key (rotating the key
//   would orphan the list itself), so the database computes it once per user and isolate;
// - a copy of the list, tagged with analytics.suppression_list_version (a random id renewed by every
//   change). Every batch reads the version in its own transaction (one row) and gets the list again
//   only when it differs. A list too long to copy is probed by hash per batch instead (one
//   primary-key probe per user).
// The version is read behind the erasure gate (analytics.suppression_list_for_batch): a batch waits
// for an erasure in progress to commit, and an erasure waits for the batches in flight, so no batch
// stores an event of a user whose erasure it did not see.
import type { Tx } from "../_shared/db.ts";
import { sqlLiteral, sqlTextArray } from "../_shared/sql-literal.ts";

/** Hashes kept per isolate (about 150 bytes each, so some 15 MB at most); the oldest go first. */
const MAX_CACHED_HASHES = 100_000;
/** The longest list an isolate copies (about 100 bytes an entry: 5 MB). */
const MAX_COPIED_SUBJECTS = 50_000;

const cached = new Map<string, string>(); // user id (lower case) -> subject hash, hex

/** The list as of one version; `hashes` null when it was too long to copy. */
type ListCopy = { version: string; hashes: Set<string> | null };
let newest: ListCopy | undefined;

/** The users among `userIds` (lower-case uuids) that have been erased. `maxCopied`: tests only. */
export async function erasedUsersIn(tx: Tx, userIds: Iterable<string>, maxCopied = MAX_COPIED_SUBJECTS): Promise<Set<string>> {
  const list = await currentList(tx, maxCopied);
  if (list.hashes?.size === 0) return new Set(); // nobody erased yet: no hashing at all
  const hashes = await hashesOf(tx, userIds);
  if (!hashes.size) return new Set();
  const erased = new Set<string>();
  if (list.hashes) {
    for (const [hash, user] of hashes) if (list.hashes.has(hash)) erased.add(user);
  } else {
    for (const r of await tx.unsafe<{ hash: string }[]>(probeSql(hashes.keys()))) erased.add(hashes.get(r.hash)!);
  }
  return erased;
}

/** The list as this transaction sees it: the isolate's copy when its version is still current. */
async function currentList(tx: Tx, maxCopied: number): Promise<ListCopy> {
  // The copy the database compares against; concurrent batches may replace `newest` meanwhile.
  const known = newest;
  const [row] = await tx.unsafe<{ version: string; hashes: string[] | null }[]>(listSql(known?.version ?? "", maxCopied));
  if (!row) return { version: "", hashes: null }; // the version row is gone (never by this project's code): probe
  if (known && row.version === known.version) return known;
  const list = { version: row.version, hashes: row.hashes && new Set(row.hashes) };
  // The latest answer wins; one from an older snapshot only costs the next batch a reload.
  newest = list;
  return list;
}

/** Each user's hash, hex -> user id; asks the database only for users new to the isolate. */
async function hashesOf(tx: Tx, userIds: Iterable<string>): Promise<Map<string, string>> {
  const hashes = new Map<string, string>();
  const missing = new Set<string>();
  for (const user of userIds) {
    const hash = cached.get(user);
    if (hash) hashes.set(hash, user);
    else missing.add(user);
  }
  if (missing.size) {
    for (const r of await tx.unsafe<{ user_id: string; hash: string }[]>(hashesSql(missing))) {
      hashes.set(r.hash, r.user_id);
      remember(r.user_id, r.hash);
    }
  }
  return hashes;
}

function remember(user: string, hash: string): void {
  if (cached.size >= MAX_CACHED_HASHES) cached.delete(cached.keys().next().value!);
  cached.set(user, hash);
}

/** Forgets every cached hash (the benchmark measures a cold isolate with it). */
export function clearHashCache(): void {
  cached.clear();
}

/** Forgets the copy of the list (tests switch between copying and probing with it). */
export function forgetListCopy(): void {
  newest = undefined;
}

// One statement: the gate, then the version and the list from one snapshot. Literals only (uuids,
// hex, digits): one round trip each instead of two (sql-literal.ts).
const listSql = (knownVersion: string, maxCopied: number) => `select l.version, l.hashes
  from analytics.suppression_list_for_batch(${sqlLiteral(knownVersion)}, ${Math.trunc(maxCopied)}) as l`;
const hashesSql = (users: Iterable<string>) => `select h.user_id::text as user_id, encode(h.subject_hash, 'hex') as hash
  from analytics.subject_hashes(${sqlTextArray(users)}::uuid[]) as h`;
const probeSql = (hashes: Iterable<string>) => `select encode(e, 'hex') as hash
  from analytics.erased_subjects_among(array(select decode(x, 'hex') from unnest(${sqlTextArray(hashes)}::text[]) as x)) as e`;

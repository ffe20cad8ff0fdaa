// Stores validated batches with ONE set-based statement: a COPY (copy-events.ts) on the normal path,
// and, when the COPY is refused because some events are stored already (same event_id and
// event_timestamp: a retried batch), the insert below that skips them, so a retry stores nothing
// new. Either way, events of users erased under GDPR (analytics.erased_subjects) are dropped, so a
// replay cannot bring them back, and each batch is stored whole or not at all. Both ways first take
// the ingest side of the erasure gate (analytics.hold_off_erasures); when an erasure keeps it past
// the wait's bound, the request answers 503 with Retry-After and the client sends the batch again.
// Several batches (group-commit.ts) go in one transaction and one COPY; when that COPY is refused,
// each batch is stored on its own, so one batch never fails another.
import postgres from "postgres";
import type { Tx } from "../_shared/db.ts";
import { retryableDatabaseError } from "../_shared/db-errors.ts";
import type { ParsedEvent } from "../_shared/event-schema.ts";
import { copyEvents } from "./copy-events.ts";
import { erasedUsersIn } from "./erased-users.ts";

/** Runs `fn` in one transaction as the writing role (the handler's asCaller). */
export type InTransaction = <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>;

/** Stores the batch; returns how many events were stored (the others were duplicates or erased users'). */
export async function storeEvents(inTransaction: InTransaction, events: ParsedEvent[]): Promise<number> {
  try {
    return (await inTransaction((tx) => copyBatches(tx, [events])))[0];
  } catch (err) {
    if (!copyRefused(err)) throw err;
    return await inTransaction((tx) => insertEvents(tx, events));
  }
}

/**
 * Stores several batches in one transaction and one COPY; resolves to each batch's stored count,
 * in order. When the COPY is refused (a retried batch among them), each batch is stored on its own
 * (storeEvents), and each gets its own outcome. An error a retry may get past fails them all.
 */
export async function storeBatches(inTransaction: InTransaction, batches: ParsedEvent[][]): Promise<PromiseSettledResult<number>[]> {
  if (batches.length === 1) return await Promise.allSettled([storeEvents(inTransaction, batches[0])]);
  try {
    const stored = await inTransaction((tx) => copyBatches(tx, batches));
    return stored.map((value) => ({ status: "fulfilled", value }));
  } catch (err) {
    if (!copyRefused(err)) return batches.map(() => ({ status: "rejected", reason: err }));
    return await Promise.allSettled(batches.map((events) => storeEvents(inTransaction, events)));
  }
}

/** The batches less erased users' events, in one COPY; each batch's stored count. */
async function copyBatches(tx: Tx, batches: ParsedEvent[][]): Promise<number[]> {
  const erased = await erasedUsersIn(tx, usersOf(batches));
  const kept = erased.size ? batches.map((b) => b.filter((e) => !e.user_id || !erased.has(e.user_id))) : batches;
  const events = kept.length === 1 ? kept[0] : kept.flat();
  if (events.length) await copyEvents(tx, events);
  return kept.map((b) => b.length);
}

/**
 * Whether the insert path may store what the COPY did not. The database down, a timeout, or an
 * erasure holding the gate past lock_timeout: it would not fare better (db-errors.ts: a 503 with
 * Retry-After). 23505 / 25P02: the COPY met a stored event. Anything else (say, a pooler that
 * refuses COPY) is worth one line in the log, as its SQLSTATE only (a message can quote a row):
 * every batch then pays for both attempts.
 */
function copyRefused(err: unknown): boolean {
  if (!(err instanceof postgres.PostgresError) || retryableDatabaseError(err)) return false;
  if (err.code !== "23505" && err.code !== "25P02") warnOnce(`ingest: COPY refused (SQLSTATE ${err.code}); using the insert path`);
  return true;
}

function* usersOf(batches: ParsedEvent[][]): Iterable<string> {
  for (const events of batches) for (const e of events) if (e.user_id) yield e.user_id;
}

let warned = false;
function warnOnce(message: string) {
  if (!warned) console.warn(message);
  warned = true;
}

/** The insert that skips stored events, shared with the benchmark so it measures exactly what the function runs. */
export const INSERT_EVENTS_SQL = `
  with batch as (
    select t.*
    from jsonb_to_recordset($1::text::jsonb) as t(
      event_id uuid, event_domain text, event_type text, event_timestamp timestamptz, user_id uuid,
      entity_type text, entity_id text, status text, provider text, service_code text, country_code text,
      amount_cents bigint, currency text, duration_seconds bigint, request_id text, metadata jsonb)
  ),
  -- Erased users stay erased: their events are dropped.
  erased as (
    select u.user_id
    from analytics.erased_users_among(array(select distinct b.user_id from batch b where b.user_id is not null)) as u(user_id)
  ),
  inserted as (
    insert into public.events_raw (
      event_id, event_domain, event_type, event_timestamp, user_id, entity_type, entity_id, status,
      provider, service_code, country_code, amount_cents, currency, duration_seconds, request_id, metadata)
    select
      t.event_id, t.event_domain, t.event_type, t.event_timestamp, t.user_id, t.entity_type, t.entity_id, t.status,
      t.provider, t.service_code, t.country_code, t.amount_cents, t.currency, t.duration_seconds, t.request_id,
      coalesce(t.metadata, '{}'::jsonb)
    from batch t
    where t.user_id is null or t.user_id not in (select e.user_id from erased e)
    on conflict do nothing
    returning 1)
  select count(*)::integer as inserted from inserted`;

/** Gives every event an id (server-generated when absent) and drops repeated ids within the batch. */
export function withUniqueIds(events: ParsedEvent[]): ParsedEvent[] {
  const seen = new Set<string>();
  const unique: ParsedEvent[] = [];
  for (const e of events) {
    e.event_id ??= crypto.randomUUID();
    if (seen.has(e.event_id)) continue;
    seen.add(e.event_id);
    unique.push(e);
  }
  return unique;
}

/** The insert path's first statement: the ingest side of the erasure gate (shared with the benchmark). */
export const HOLD_OFF_ERASURES_SQL = "select analytics.hold_off_erasures()";

// The batch goes as one text parameter (cast in SQL) so the driver does not JSON-encode it twice.
async function insertEvents(tx: Tx, events: ParsedEvent[]): Promise<number> {
  await tx.unsafe(HOLD_OFF_ERASURES_SQL);
  const [row] = await tx.unsafe<{ inserted: number }[]>(INSERT_EVENTS_SQL, [JSON.stringify(events)]);
  return row.inserted;
}

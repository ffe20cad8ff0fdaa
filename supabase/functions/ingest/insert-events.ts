// Writes a validated batch with ONE set-based statement; events already stored (same event_id
// and event_timestamp) are skipped, so a retried batch stores nothing new, and events of users
// erased under GDPR (analytics.erased_subjects) are dropped, so a replay cannot bring them back.
import type { Tx } from "../_shared/db.ts";
import type { ParsedEvent } from "../_shared/event-schema.ts";

/** The statement, shared with the benchmark so it measures exactly what the function runs. */
export const INSERT_EVENTS_SQL = `
  with inserted as (
    insert into public.events_raw (
      event_id, event_domain, event_type, event_timestamp, user_id, entity_type, entity_id, status,
      provider, service_code, country_code, amount_cents, currency, duration_seconds, request_id, metadata)
    select
      t.event_id, t.event_domain, t.event_type, t.event_timestamp, t.user_id, t.entity_type, t.entity_id, t.status,
      t.provider, t.service_code, t.country_code, t.amount_cents, t.currency, t.duration_seconds, t.request_id,
      coalesce(t.metadata, '{}'::jsonb)
    from jsonb_to_recordset($1::text::jsonb) as t(
      event_id uuid, event_domain text, event_type text, event_timestamp timestamptz, user_id uuid,
      entity_type text, entity_id text, status text, provider text, service_code text, country_code text,
      amount_cents bigint, currency text, duration_seconds bigint, request_id text, metadata jsonb)
    -- Erased users stay erased: their events are dropped (the uncorrelated EXISTS runs once, so
    -- the keyed hash is only computed while the suppression list is not empty).
    where t.user_id is null
       or not exists (select 1 from analytics.erased_subjects)
       or not exists (select 1 from analytics.erased_subjects s where s.subject_hash = analytics.subject_hash(t.user_id))
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

// The batch goes as one text parameter (cast in SQL) so the driver does not JSON-encode it twice.
export async function insertEvents(tx: Tx, events: ParsedEvent[]): Promise<number> {
  const [row] = await tx.unsafe<{ inserted: number }[]>(INSERT_EVENTS_SQL, [JSON.stringify(events)]);
  return row.inserted;
}

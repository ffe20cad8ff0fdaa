-- Erasure and ingestion are serialised (docs/design.md §12). An ingest batch checks its users against
-- the suppression list as of its own snapshot: during an erasure that list does not yet hold the
-- user (the erasure has not committed) while the erasure's deletes have already run, so a batch
-- storing the user's events then would survive the erasure. So both sides take a lock on one
-- table, the gate:
-- - each ingest transaction takes ROW EXCLUSIVE before it reads the list (ingest batches do not
--   conflict with each other) and keeps it to its end;
-- - an erasure takes SHARE before it deletes the user's events: it waits for the batches in flight
--   to commit, and batches that start later wait for it, then read the list with the user on it.
-- A table lock rather than an advisory lock: advisory locks need no privilege, so any login could
-- take the gate's key and stall ingestion; this table's locks only its owner can take (through the
-- functions below). Ingestion waits at most 1 s (lock_timeout): the function then answers 503 with
-- Retry-After, and the emitters retry.

create table analytics.erasure_gate ();
comment on table analytics.erasure_gate is
  'Holds no rows: its lock serialises erasures with ingestion (ingest transactions ROW EXCLUSIVE, analytics.erase_user SHARE).';
alter table analytics.erasure_gate enable row level security;
revoke all on analytics.erasure_gate from public, anon, authenticated, service_role;

create or replace function analytics.hold_off_erasures()
returns void
language plpgsql
security definer
set search_path = ''
set lock_timeout = '1s'
as $$
begin
  lock table analytics.erasure_gate in row exclusive mode;
end;
$$;
comment on function analytics.hold_off_erasures() is
  'Ingest side of analytics.erasure_gate, to the end of the transaction: waits (at most 1 s, then lock_not_available) for a running erasure to commit, and makes erasures wait for this transaction.';
revoke all on function analytics.hold_off_erasures() from public, anon, authenticated;
grant execute on function analytics.hold_off_erasures() to service_role;

-- What ingestion's erased-user check reads first in each batch (supabase/functions/ingest/erased-users.ts),
-- behind the gate and in one round trip. Volatile: the read after the lock takes a new snapshot, so
-- it sees an erasure that committed while this batch waited for it.
create or replace function analytics.suppression_list_for_batch(p_known_version text, p_max_copied integer)
returns table (version text, hashes text[])
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform analytics.hold_off_erasures();
  return query
  select v.version::text,
    case when v.version::text <> p_known_version and v.subjects <= p_max_copied
      then array(select encode(s.subject_hash, 'hex') from analytics.erased_subjects s) end
  from analytics.suppression_list_version v;
end;
$$;
comment on function analytics.suppression_list_for_batch(text, integer) is
  'For an ingest batch: takes the gate (analytics.hold_off_erasures), then returns the suppression list version and, when it differs from p_known_version and the list has at most p_max_copied entries, the list (hex subject hashes). No row when the version row is missing.';
revoke all on function analytics.suppression_list_for_batch(text, integer) from public, anon, authenticated;
grant execute on function analytics.suppression_list_for_batch(text, integer) to service_role;

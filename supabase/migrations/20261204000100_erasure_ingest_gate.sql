-- Erasure and ingestion are serialised (DESIGN.md §12). An ingest batch checked its users against
-- the suppression list as of its own snapshot: during an erasure that list did not yet hold the user
-- (the erasure had not committed), and the erasure's deletes had already run, so a batch storing the
-- user's events then survived the erasure. Now both sides take a lock on one table, the gate:
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

-- The erasure of 20261125004000, with the gate. Tables the nightly ETL writes are erased first,
-- outside the gate: a running night can hold their rows, and ingestion must not wait for that.
-- Then, behind the gate (every wait bounded by 1 s: an erasure that cannot get on fails whole and
-- is retried), the suppression list entry and the user's events.
create or replace function analytics.erase_user(p_user_id uuid, p_requested_by text default 'postgres')
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_requested_at timestamptz := clock_timestamp();
  v_lock_timeout text := current_setting('lock_timeout');
  v_rows jsonb := '{}'::jsonb;
  v_col record;
  v_part record;
  v_n bigint;
  v_receipt analytics.erasure_receipts;
begin
  if p_user_id is null then
    raise exception using errcode = '22004', message = 'erase_user: user id is required';
  end if;

  for v_col in
    select * from analytics.user_data_columns c
    where not (c.table_schema = 'public' and c.table_name = 'events_raw')
    order by c.table_schema, c.table_name, c.column_name
  loop
    execute format('delete from %I.%I where %I = $1', v_col.table_schema, v_col.table_name, v_col.column_name)
      using p_user_id;
    get diagnostics v_n = row_count;
    v_rows := v_rows || jsonb_build_object(format('%s.%s.%s', v_col.table_schema, v_col.table_name, v_col.column_name), v_n);
  end loop;

  perform pg_catalog.set_config('lock_timeout', '1s', true);
  lock table analytics.erasure_gate in share mode;

  -- Suppressed: every batch that passes the gate after this transaction drops the user's events.
  insert into analytics.erased_subjects (subject_hash)
  values (analytics.subject_hash(p_user_id))
  on conflict (subject_hash) do update set erased_at = excluded.erased_at;

  -- Partition by partition, so that progress shows on long erasures.
  for v_part in
    select c.relname::text as name from pg_catalog.pg_inherits i
    join pg_catalog.pg_class c on c.oid = i.inhrelid
    where i.inhparent = 'public.events_raw'::regclass order by c.relname
  loop
    execute format('delete from public.%I where user_id = $1', v_part.name) using p_user_id;
    get diagnostics v_n = row_count;
    v_rows := v_rows || jsonb_build_object(format('public.%s.user_id', v_part.name), v_n);
    raise notice 'erase_user: % rows from public.%', v_n, v_part.name;
  end loop;

  -- The user as the reader of someone else's order: keep the event, drop the reference.
  update public.events_raw set metadata = metadata - 'reader_id' where metadata ->> 'reader_id' = p_user_id::text;
  get diagnostics v_n = row_count;
  v_rows := v_rows || jsonb_build_object('public.events_raw.metadata.reader_id', v_n);
  perform pg_catalog.set_config('lock_timeout', v_lock_timeout, true);

  insert into analytics.erasure_receipts (subject_hash, requested_by, requested_at, completed_at, rows_affected)
  values (analytics.subject_hash(p_user_id), coalesce(p_requested_by, 'unknown'), v_requested_at, clock_timestamp(), v_rows)
  returning * into v_receipt;

  return jsonb_build_object(
    'receipt_id', v_receipt.receipt_id,
    'subject_hash', encode(v_receipt.subject_hash, 'hex'),
    'requested_by', v_receipt.requested_by,
    'requested_at', v_receipt.requested_at,
    'completed_at', v_receipt.completed_at,
    'rows_affected', v_receipt.rows_affected);
end;
$$;
comment on function analytics.erase_user(uuid, text) is
  'GDPR erasure (runs with owner rights; service_role only): deletes the user from every user-level table (analytics.user_data_columns), scrubs them from order metadata, adds them to the suppression list and returns the receipt. Serialised with ingestion through analytics.erasure_gate; fails with lock_not_available (retry) when it cannot get on within 1 s.';
revoke all on function analytics.erase_user(uuid, text) from public, anon, authenticated;
grant execute on function analytics.erase_user(uuid, text) to service_role;

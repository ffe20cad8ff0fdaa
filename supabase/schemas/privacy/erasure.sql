-- GDPR rights: erasure with receipts, and subject-access export. User ids are found from the
-- catalog (every uuid column named user_id or reader_id in public and analytics), so a table added
-- later cannot be forgotten. Erasure also puts the user on the suppression list
-- (privacy/suppression_list.sql).
create table analytics.erasure_receipts (
  receipt_id uuid primary key default gen_random_uuid(),
  subject_hash bytea not null,
  requested_by text not null,
  requested_at timestamptz not null,
  completed_at timestamptz not null,
  rows_affected jsonb not null,
  constraint erasure_receipts_rows_affected_is_object check (jsonb_typeof(rows_affected) = 'object')
);
create index erasure_receipts_subject_hash_idx on analytics.erasure_receipts (subject_hash);
comment on table analytics.erasure_receipts is 'Proof of each erasure: when, by whom, rows affected per table. Holds no reversible user id.';
comment on column analytics.erasure_receipts.receipt_id is 'Receipt id returned to the requester.';
comment on column analytics.erasure_receipts.subject_hash is 'analytics.subject_hash of the erased user.';
comment on column analytics.erasure_receipts.requested_by is 'Who asked: service_role, or "<app role>:<user id>" of the admin.';
comment on column analytics.erasure_receipts.requested_at is 'When the request was received.';
comment on column analytics.erasure_receipts.completed_at is 'When the erasure committed.';
comment on column analytics.erasure_receipts.rows_affected is 'Rows deleted or scrubbed, keyed by table (and partition for events_raw).';
comment on index analytics.erasure_receipts_subject_hash_idx is 'Find the receipts of one (hashed) user.';
alter table analytics.erasure_receipts enable row level security;
revoke all on analytics.erasure_receipts from public, anon, authenticated;
grant select on analytics.erasure_receipts to service_role;

-- Every table column that holds a user id. events_raw is listed once (its parent); deleting
-- through the parent reaches every partition, DEFAULT included. lookup_filter is ANDed to the
-- look-up by user id: for the activity pairs, whose key starts with the day, it turns a read of
-- every pair into a probe per stored day (etl/activity.sql).
create or replace view analytics.user_data_columns
with (security_invoker = true)
as
select n.nspname::text as table_schema, c.relname::text as table_name, a.attname::text as column_name,
  case when n.nspname = 'analytics' and c.relname = 'user_daily_activity'
    then 'activity_date = any(analytics.activity_dates())' else 'true' end as lookup_filter
from pg_catalog.pg_attribute a
join pg_catalog.pg_class c on c.oid = a.attrelid
join pg_catalog.pg_namespace n on n.oid = c.relnamespace
where n.nspname in ('public', 'analytics')
  and c.relkind in ('r', 'p')
  and not c.relispartition
  and a.attnum > 0 and not a.attisdropped
  and a.atttypid = 'uuid'::regtype
  and a.attname in ('user_id', 'reader_id');
comment on view analytics.user_data_columns is
  'Every (table, column) holding a user id, found from the catalog: uuid columns named user_id or reader_id in public and analytics, with the condition that makes the look-up by that column use an index (lookup_filter).';
revoke all on analytics.user_data_columns from public, anon, authenticated;
grant select on analytics.user_data_columns to service_role;

-- Tables the nightly ETL writes are erased first, outside the gate (privacy/erasure_gate.sql): a
-- running night can hold their rows, and ingestion must not wait for that. Then, behind the gate
-- (every wait bounded by 1 s: an erasure that cannot get on fails whole and is retried), the
-- suppression list entry and the user's events.
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
    execute format('delete from %I.%I where %I = $1 and %s', v_col.table_schema, v_col.table_name, v_col.column_name,
      v_col.lookup_filter)
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

create or replace function analytics.export_user(p_user_id uuid)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_tables jsonb := '{}'::jsonb;
  v_col record;
  v_rows jsonb;
begin
  if p_user_id is null then
    raise exception using errcode = '22004', message = 'export_user: user id is required';
  end if;
  for v_col in select * from analytics.user_data_columns order by table_schema, table_name, column_name loop
    -- api_row (the metrics tables' generated API form of the row) repeats the row's own fields.
    execute format('select coalesce(jsonb_agg(to_jsonb(t) - ''api_row''), ''[]''::jsonb) from %I.%I t where %I = $1 and %s',
      v_col.table_schema, v_col.table_name, v_col.column_name, v_col.lookup_filter)
      into v_rows using p_user_id;
    v_tables := v_tables || jsonb_build_object(format('%s.%s.%s', v_col.table_schema, v_col.table_name, v_col.column_name), v_rows);
  end loop;
  select coalesce(jsonb_agg(to_jsonb(e)), '[]'::jsonb) into v_rows
  from public.events_raw e where e.metadata ->> 'reader_id' = p_user_id::text;
  v_tables := v_tables || jsonb_build_object('public.events_raw.metadata.reader_id', v_rows);
  return jsonb_build_object('user_id', p_user_id, 'generated_at', now(), 'tables', v_tables);
end;
$$;
comment on function analytics.export_user(uuid) is
  'Subject-access export (runs with owner rights; service_role only): every stored row that carries the user id, per table, as JSON.';
revoke all on function analytics.export_user(uuid) from public, anon, authenticated;
grant execute on function analytics.export_user(uuid) to service_role;

-- Erasure and subject-access export find a user's events by index instead of reading every
-- partition in full. Erasures hold ingestion off while they delete the user's events
-- (analytics.erasure_gate), so their time there is time ingestion waits. Partial indexes: events
-- without a user (system events) and events that name no reader are not indexed. B-tree rather
-- than hash: both cost ingestion about the same, but a hash index keeps all of a key's entries in
-- its bucket's overflow chain, which each insert walks, so users with many events make it slower; a
-- b-tree deduplicates them.
create index events_raw_user_id_idx on public.events_raw (user_id) where user_id is not null;
comment on index public.events_raw_user_id_idx is
  'A user''s events, for erasure and subject-access export (analytics.erase_user, analytics.export_user).';

create index events_raw_reader_id_idx on public.events_raw ((metadata ->> 'reader_id'))
  where (metadata ->> 'reader_id') is not null;
comment on index public.events_raw_reader_id_idx is
  'Events naming a user as the reader (metadata.reader_id), for erasure and subject-access export.';

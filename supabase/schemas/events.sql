-- Raw events: range-partitioned by month on event_timestamp, kept 90 days (operations/retention.sql).
-- The DEFAULT partition guarantees ingestion never fails for a month that has no partition yet;
-- analytics.create_events_partition adds the monthly ones (the first by a migration, later ones by
-- pg_cron) and moves matching rows out of DEFAULT.
create table public.events_raw (
  event_id uuid not null default gen_random_uuid(),
  event_domain text not null,
  event_type text not null,
  event_timestamp timestamptz not null,
  user_id uuid,
  entity_type text,
  entity_id text,
  status text,
  provider text,
  service_code text,
  country_code text,
  amount_cents bigint,
  currency text,
  duration_seconds bigint,
  request_id text,
  metadata jsonb not null default '{}'::jsonb,
  ingested_at timestamptz not null default now(),
  constraint events_raw_pkey primary key (event_id, event_timestamp),
  constraint events_raw_country_code_format check (country_code ~ '^[A-Z]{2}$'),
  constraint events_raw_currency_format check (currency ~ '^[A-Z]{3}$'),
  constraint events_raw_amount_non_negative check (amount_cents >= 0),
  constraint events_raw_duration_non_negative check (duration_seconds >= 0),
  constraint events_raw_metadata_is_object check (jsonb_typeof(metadata) = 'object')
) partition by range (event_timestamp);

comment on table public.events_raw is
  'Raw analytics events (no PII), partitioned by month on event_timestamp; kept 90 days. Written only by the ingest function as service_role.';
comment on column public.events_raw.event_id is 'Client-supplied id for idempotent retries; generated when absent.';
comment on column public.events_raw.event_domain is 'orders | payments | calls | notifications | moderation | content (see event_schema_versions).';
comment on column public.events_raw.event_type is 'Event type from the catalog in event_schema_versions.';
comment on column public.events_raw.event_timestamp is 'When the event happened (UTC); the partition key.';
comment on column public.events_raw.user_id is 'Pseudonymous user uuid; never linked to PII here.';
comment on column public.events_raw.entity_type is 'Kind of resource the event is about (order, payment, call, notification, horoscope, ...).';
comment on column public.events_raw.entity_id is 'Identifier of that resource.';
comment on column public.events_raw.status is 'Resource status carried by the event (e.g. approved/rejected on moderation_decision).';
comment on column public.events_raw.provider is 'External provider (stripe, square, twilio, ...).';
comment on column public.events_raw.service_code is 'Platform service (tarot, healing, ...).';
comment on column public.events_raw.country_code is 'ISO 3166-1 alpha-2 country code, upper case; the only location data kept.';
comment on column public.events_raw.amount_cents is 'Money amount in integer minor units of currency.';
comment on column public.events_raw.currency is 'ISO 4217 currency code of amount_cents.';
comment on column public.events_raw.duration_seconds is 'Duration in whole seconds (calls).';
comment on column public.events_raw.request_id is 'Correlation id of the request that emitted the event.';
comment on column public.events_raw.metadata is 'Flat JSON object of scalar values; PII-looking keys and values are rejected at ingestion.';
comment on column public.events_raw.ingested_at is 'When the event was stored; used to detect late events for already computed days.';

create table public.events_raw_default partition of public.events_raw default;
comment on table public.events_raw_default is
  'Catch-all partition for events outside every monthly partition; create_events_partition moves its rows out.';

-- Day scans by the ETL: BRIN is tiny and fits append-mostly time-ordered data. minmax-multi keeps a
-- range's outlying times apart from its interval: a late event stored among another day's rows does
-- not make that day's pages part of its own day's scan.
create index events_raw_event_timestamp_brin on public.events_raw using brin (event_timestamp timestamptz_minmax_multi_ops);
comment on index public.events_raw_event_timestamp_brin is 'Cheap range index for per-day ETL scans inside a partition.';

-- Admins read raw events through RLS (access.sql); only the service role (ingestion) writes them.
-- Partitions get no grants at all, not even to service_role: a partition queried directly cannot
-- bypass the parent's rules.
alter table public.events_raw enable row level security;
alter table public.events_raw_default enable row level security;
revoke all on public.events_raw, public.events_raw_default from public, anon, authenticated;
grant all on public.events_raw to service_role;
grant select on public.events_raw to authenticated;
revoke all on public.events_raw_default from service_role;

-- Creates the monthly partition holding `p_month` (idempotent). Rows of that month already in
-- the DEFAULT partition are moved into the new partition first: Postgres refuses to attach a
-- partition whose range still has rows in DEFAULT. Its locks are weak for ingestion (ATTACH: SHARE
-- UPDATE EXCLUSIVE on events_raw, which ingestion does not conflict with; ACCESS EXCLUSIVE on the
-- DEFAULT partition only), each waited for at most 500 ms: on a timeout it fails, and the weekly job
-- creates the month next time.
create or replace function analytics.create_events_partition(p_month date)
returns text
language plpgsql
set search_path = ''
set lock_timeout = '500ms'
as $$
declare
  v_start date := date_trunc('month', p_month)::date;
  v_end date := (date_trunc('month', p_month) + interval '1 month')::date;
  v_name text := format('events_raw_%s', to_char(v_start, 'YYYY_MM'));
  v_moved bigint;
begin
  if to_regclass(format('public.%I', v_name)) is not null then
    return v_name;
  end if;

  -- Serialise with concurrent creators and with inserts into DEFAULT while rows move.
  lock table public.events_raw_default in share row exclusive mode;
  if to_regclass(format('public.%I', v_name)) is not null then
    return v_name;
  end if;

  execute format(
    'create table public.%I (like public.events_raw including defaults including constraints)', v_name);
  -- Lets attach skip its validation scan of the new table.
  execute format(
    'alter table public.%I add constraint %I check (event_timestamp >= %L and event_timestamp < %L)',
    v_name, v_name || '_range', v_start::timestamptz, v_end::timestamptz);
  execute format(
    'with moved as (delete from public.events_raw_default where event_timestamp >= %L and event_timestamp < %L returning *)
     insert into public.%I select * from moved', v_start::timestamptz, v_end::timestamptz, v_name);
  get diagnostics v_moved = row_count;
  execute format(
    'alter table public.events_raw attach partition public.%I for values from (%L) to (%L)',
    v_name, v_start::timestamptz, v_end::timestamptz);
  execute format('alter table public.%I drop constraint %I', v_name, v_name || '_range');

  -- A partition queried directly must not bypass the parent's rules.
  execute format('alter table public.%I enable row level security', v_name);
  execute format('revoke all on public.%I from public, anon, authenticated, service_role', v_name);
  execute format('comment on table public.%I is %L', v_name,
    format('events_raw partition for %s (created by analytics.create_events_partition).', to_char(v_start, 'YYYY-MM')));

  if v_moved > 0 then
    raise notice 'create_events_partition: moved % rows from events_raw_default into %', v_moved, v_name;
  end if;
  return v_name;
end;
$$;
comment on function analytics.create_events_partition(date) is
  'Creates the monthly events_raw partition containing the given date (idempotent), moving matching rows out of DEFAULT; each lock is waited for at most 500 ms (then lock_not_available: retry later). Returns the partition name.';
revoke all on function analytics.create_events_partition(date) from public, anon, authenticated;
grant execute on function analytics.create_events_partition(date) to service_role;

-- Called weekly by pg_cron (migration ..._cron_jobs.sql), so the next months' partitions exist
-- before their first event.
create or replace function analytics.create_upcoming_events_partitions(p_months_ahead integer default 2)
returns text[]
language sql
set search_path = ''
as $$
  select array_agg(analytics.create_events_partition((date_trunc('month', now() at time zone 'UTC') + make_interval(months => m))::date) order by m)
  from generate_series(0, p_months_ahead) as m
$$;
comment on function analytics.create_upcoming_events_partitions(integer) is
  'Creates the events_raw partitions of the current month and the next p_months_ahead months (idempotent). Returns their names.';
revoke all on function analytics.create_upcoming_events_partitions(integer) from public, anon, authenticated;
grant execute on function analytics.create_upcoming_events_partitions(integer) to service_role;

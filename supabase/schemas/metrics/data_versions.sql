-- Data versions of the tables the metrics API reads, so the metrics function can cache whole
-- responses and still never serve an answer the data no longer gives. Every statement that
-- writes one of these tables (ETL delete-then-insert, purge, erasure, truncate, by any role)
-- adds 1 to its table's version in the same transaction, through a statement-level trigger.
--
-- A table's version is the SUM of its rows here, not one counter row: each writing transaction
-- upserts a row of its own (keyed by its transaction id) and folds older rows it can lock
-- without waiting (skip locked) into it. So writers never wait on each other for a version row
-- (no new lock queue or deadlock between ETL jobs, purge and erasure), the sum still grows by
-- at least 1 with every committed writing transaction, and the table stays a few rows per table.
create table analytics.metrics_table_versions (
  table_name text not null,
  xact_id bigint not null,
  version bigint not null check (version > 0),
  changed_at timestamptz not null default now(),
  primary key (table_name, xact_id)
);
comment on table analytics.metrics_table_versions is
  'Data versions of the tables the metrics API reads: a table''s version is sum(version) of its rows; every write statement adds 1 (trigger analytics.bump_metrics_table_version). Read by the metrics function as the connection role to key its response cache.';
comment on column analytics.metrics_table_versions.table_name is 'Table in schema public whose writes this row counts.';
comment on column analytics.metrics_table_versions.xact_id is 'Transaction that last wrote this row (pg_current_xact_id); rows of finished transactions get folded into newer ones.';
comment on column analytics.metrics_table_versions.version is 'Write statements counted in this row (including folded rows).';
comment on column analytics.metrics_table_versions.changed_at is 'Start of the transaction that last wrote this row.';

alter table analytics.metrics_table_versions enable row level security;
revoke all on analytics.metrics_table_versions from public, anon, authenticated, service_role;

create or replace function analytics.bump_metrics_table_version()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_xact bigint := pg_current_xact_id()::text::bigint;
  v_folded bigint;
begin
  -- Fold committed rows of other transactions that nobody holds; a locked row is skipped, never waited for.
  with folded as (
    delete from analytics.metrics_table_versions v
    where v.ctid in (
      select o.ctid from analytics.metrics_table_versions o
      where o.table_name = tg_table_name and o.xact_id <> v_xact
      for update skip locked)
    returning v.version)
  select coalesce(sum(version), 0) into v_folded from folded;

  insert into analytics.metrics_table_versions as m (table_name, xact_id, version)
  values (tg_table_name, v_xact, 1 + v_folded)
  on conflict (table_name, xact_id) do update set version = m.version + excluded.version, changed_at = now();
  return null;
end;
$$;
comment on function analytics.bump_metrics_table_version() is
  'Statement-level trigger: adds 1 to the data version of the written table (folding older version rows without waiting). Runs with owner rights so any writer''s statement can record it.';
revoke all on function analytics.bump_metrics_table_version() from public, anon, authenticated;

-- Every table the metrics API reads, and the run log it reports from.
create trigger bump_metrics_table_version
  after insert or update or delete or truncate on public.metrics_daily_fulfillment
  for each statement execute function analytics.bump_metrics_table_version();
comment on trigger bump_metrics_table_version on public.metrics_daily_fulfillment is
  'Adds 1 to this table''s data version (analytics.metrics_table_versions) on every write statement, so cached metrics responses built from older data are never served.';

create trigger bump_metrics_table_version
  after insert or update or delete or truncate on public.metrics_daily_payments
  for each statement execute function analytics.bump_metrics_table_version();
comment on trigger bump_metrics_table_version on public.metrics_daily_payments is
  'Adds 1 to this table''s data version (analytics.metrics_table_versions) on every write statement, so cached metrics responses built from older data are never served.';

create trigger bump_metrics_table_version
  after insert or update or delete or truncate on public.metrics_daily_calls
  for each statement execute function analytics.bump_metrics_table_version();
comment on trigger bump_metrics_table_version on public.metrics_daily_calls is
  'Adds 1 to this table''s data version (analytics.metrics_table_versions) on every write statement, so cached metrics responses built from older data are never served.';

create trigger bump_metrics_table_version
  after insert or update or delete or truncate on public.metrics_daily_engagement
  for each statement execute function analytics.bump_metrics_table_version();
comment on trigger bump_metrics_table_version on public.metrics_daily_engagement is
  'Adds 1 to this table''s data version (analytics.metrics_table_versions) on every write statement, so cached metrics responses built from older data are never served.';

create trigger bump_metrics_table_version
  after insert or update or delete or truncate on public.metrics_daily_content
  for each statement execute function analytics.bump_metrics_table_version();
comment on trigger bump_metrics_table_version on public.metrics_daily_content is
  'Adds 1 to this table''s data version (analytics.metrics_table_versions) on every write statement, so cached metrics responses built from older data are never served.';

create trigger bump_metrics_table_version
  after insert or update or delete or truncate on public.metrics_cohort_retention
  for each statement execute function analytics.bump_metrics_table_version();
comment on trigger bump_metrics_table_version on public.metrics_cohort_retention is
  'Adds 1 to this table''s data version (analytics.metrics_table_versions) on every write statement, so cached metrics responses built from older data are never served.';

create trigger bump_metrics_table_version
  after insert or update or delete or truncate on public.etl_job_runs
  for each statement execute function analytics.bump_metrics_table_version();
comment on trigger bump_metrics_table_version on public.etl_job_runs is
  'Adds 1 to this table''s data version (analytics.metrics_table_versions) on every write statement, so cached metrics responses built from older data are never served.';

-- Schema foundation: tables, partitions and RLS exist as the migrations promise.
begin;
select plan(16);

select has_schema('analytics', 'the analytics schema exists');
select has_table('public', 'events_raw', 'events_raw exists');
select is((select relkind::text from pg_class where oid = 'public.events_raw'::regclass), 'p', 'events_raw is partitioned');
select is(
  (select pg_get_partkeydef('public.events_raw'::regclass)), 'RANGE (event_timestamp)',
  'events_raw is range-partitioned on event_timestamp');
select has_table('public', 'events_raw_default', 'the DEFAULT partition exists');
select col_is_pk('public', 'events_raw', array['event_id', 'event_timestamp'], 'primary key is (event_id, event_timestamp)');

select has_table('public', t, t || ' exists')
from unnest(array['metrics_daily_fulfillment', 'metrics_daily_payments', 'metrics_daily_calls',
  'metrics_daily_engagement', 'metrics_daily_content', 'metrics_cohort_retention', 'etl_job_runs',
  'event_schema_versions']) as t;

-- The metrics API reads cohort ranges from the key's index alone (schemas/metrics/kpis.sql).
select is(
  pg_get_indexdef('public.metrics_cohort_retention_pkey'::regclass),
  'CREATE UNIQUE INDEX metrics_cohort_retention_pkey ON public.metrics_cohort_retention USING btree (cohort_date, retention_day) INCLUDE (api_row)',
  'the cohort retention key carries api_row');

select is(
  (select count(*)::int from pg_class c join pg_namespace n on n.oid = c.relnamespace
   where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relrowsecurity),
  0, 'RLS is enabled on every table and partition in public');

select * from finish();
rollback;

-- Table grants in public: anon nothing; authenticated SELECT on exactly the tables the access
-- matrix opens, and no write privilege anywhere; every policy is a SELECT policy to authenticated
-- (or to the BI login bi_reader, 150_rls_bi_reader).
-- Views in public run with the caller's rights (security_invoker), so RLS of their tables applies.
begin;
\ir helpers/personas.psql
select plan(7);

create function tests.public_relations() returns setof regclass language sql stable as $$
  select c.oid::regclass from pg_class c
  where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p', 'v', 'm', 'f')
$$;

select is(
  array(select t::text from tests.public_relations() as t
        where has_table_privilege('anon', t, 'select,insert,update,delete,truncate,references,trigger')
           or has_any_column_privilege('anon', t, 'select,insert,update,references')),
  '{}'::text[], 'anon has no privilege on any table or view in public');
select is(
  array(select t::text from tests.public_relations() as t
        where has_table_privilege('authenticated', t, 'insert,update,delete,truncate,references,trigger')
           or has_any_column_privilege('authenticated', t, 'insert,update,references')),
  '{}'::text[], 'authenticated has no write privilege on any table in public');
select set_eq(
  $$ select t::text from tests.public_relations() as t where has_any_column_privilege('authenticated', t, 'select') $$,
  $$ select t::text from tests.matrix_tables() as t
     union all select v from unnest(array['etl_status_by_date', 'etl_metrics_coverage', 'event_volume_today', 'events_partition_sizes']) as v
     union all select v from unnest(array['metrics_fulfillment_detail', 'metrics_fulfillment_service_totals',
       'metrics_fulfillment_reader_totals', 'metrics_fulfillment_totals', 'metrics_payments_detail',
       'metrics_payments_currency_totals', 'metrics_calls_detail', 'metrics_calls_totals', 'metrics_engagement_daily',
       'metrics_content_daily']) as v $$,
  'authenticated may select exactly the tables of the access matrix, the admin runbook views and the BI views');
select is(
  array(select c.oid::regclass::text from pg_class c
        where c.relnamespace = 'public'::regnamespace and c.relkind = 'v'
          and not coalesce('security_invoker=true' = any (c.reloptions), false)),
  '{}'::text[], 'every view in public is security_invoker');
select is(
  array(select c.oid::regclass::text from pg_class c, unnest(array['anon', 'authenticated']) as r
        where c.relnamespace = 'public'::regnamespace and c.relkind = 'm' and has_any_column_privilege(r, c.oid, 'select')),
  '{}'::text[], 'no materialized view in public (no RLS possible) is readable by anon or authenticated');
select is(
  array(select c.oid::regclass::text from pg_class c, unnest(array['anon', 'authenticated']) as r
        where c.relnamespace = 'public'::regnamespace and c.relkind = 'S'
          and has_sequence_privilege(r, c.oid, 'usage,select,update')),
  '{}'::text[], 'no sequence in public is usable by anon or authenticated');
select is(
  array(select format('%s: %s', tablename, policyname) from pg_policies
        where schemaname = 'public' and (roles not in ('{authenticated}', '{bi_reader}') or cmd <> 'SELECT')),
  '{}'::text[], 'every policy in public is a SELECT policy to authenticated or to the BI login');

select * from finish();
rollback;

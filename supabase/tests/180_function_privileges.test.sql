-- EXECUTE on every function in analytics, enumerated from pg_proc: a function added later that
-- forgets its revoke fails here. anon: nothing; authenticated: only the policy helpers (the
-- reporting time zone and local today serve the reader window and the runbook views).
begin;
\ir helpers/personas.psql
select plan(8);

create function tests.analytics_functions() returns setof regprocedure language sql stable as $$
  select p.oid::regprocedure from pg_proc p where p.pronamespace = 'analytics'::regnamespace
$$;

select ok(not has_schema_privilege('anon', 'analytics', 'usage'), 'anon has no usage on schema analytics');
select is(
  array(select f::text from tests.analytics_functions() as f where has_function_privilege('anon', f, 'execute')),
  '{}'::text[], 'anon can execute no function in analytics');
select set_eq(
  $$ select f::text from tests.analytics_functions() as f where has_function_privilege('authenticated', f, 'execute') $$,
  array['analytics.app_role()', 'analytics.is_admin()', 'analytics.reporting_time_zone()', 'analytics.reporting_today()'],
  'authenticated can execute exactly the policy helpers app_role(), is_admin(), reporting_time_zone() and reporting_today()');
select is(
  array(select f::text from tests.analytics_functions() as f, aclexplode(coalesce(
          (select proacl from pg_proc where oid = f), acldefault('f', (select proowner from pg_proc where oid = f)))) as a
        where a.grantee = 0),
  '{}'::text[], 'no function in analytics is executable by PUBLIC');
select ok(
  (select bool_and(has_function_privilege('service_role', f, 'execute')) from tests.analytics_functions() as f
   where f::text in ('analytics.app_role()', 'analytics.is_admin()', 'analytics.create_events_partition(date)')),
  'service_role can execute the policy helpers and create_events_partition');
-- The SQL entry points of docs/design.md §7 that exist on this database are callable by backends.
select is(
  array(select f::text from tests.analytics_functions() as f
        where (select proname from pg_proc where oid = f) in ('run_daily_etl_pipeline', 'compute_daily_fulfillment_metrics',
          'compute_daily_payments_metrics', 'compute_daily_calls_metrics', 'compute_daily_engagement_metrics',
          'compute_daily_content_metrics', 'compute_cohort_retention_metrics', 'create_events_partition',
          'erase_user', 'purge_expired_data')
          and not has_function_privilege('service_role', f, 'execute')),
  '{}'::text[], 'service_role can execute every SQL entry point that exists');

-- Emulated requests: an admin still cannot call maintenance functions; the helpers work.
set local role authenticated;
select set_config('request.jwt.claims', tests.claims('admin', :admin_id), true);
select throws_ok($$ select analytics.create_events_partition('2032-01-01') $$, '42501', null,
  'an admin request cannot create partitions');
select is((select analytics.app_role()), 'admin', 'the policy helper reads app_metadata.role');

select * from finish();
rollback;

-- ETL privileges: the ETL and maintenance functions are not executable by anon or authenticated,
-- the user-level activity tables are closed to them, and every analytics function pins search_path
-- (procedures that commit cannot, and are listed).
begin;
select plan(9);

select is(
  (select count(*)::int from pg_proc p join pg_namespace n on n.oid = p.pronamespace
   where n.nspname = 'analytics' and p.proname not in ('app_role', 'is_admin', 'reporting_time_zone', 'reporting_today')
     and (has_function_privilege('authenticated', p.oid, 'execute') or has_function_privilege('anon', p.oid, 'execute'))),
  0, 'only policy helpers in analytics are executable by authenticated/anon');
select ok(has_function_privilege('service_role', 'analytics.run_daily_etl_pipeline(date,text[])', 'execute'), 'service_role runs the pipeline');
select ok(has_function_privilege('service_role', 'analytics.run_nightly_etl(date)', 'execute'), 'service_role runs the nightly ETL');
select is(
  (select count(*)::int from pg_proc p join pg_namespace n on n.oid = p.pronamespace
   where n.nspname = 'analytics' and p.prokind <> 'p' and not coalesce(p.proconfig @> array['search_path=""'], false)),
  0, 'every analytics function sets search_path = ''''');
-- A procedure that commits may not have a SET clause: only these, which schema-qualify every name.
select set_eq(
  $$ select p.oid::regprocedure::text from pg_proc p join pg_namespace n on n.oid = p.pronamespace
     where n.nspname = 'analytics' and not coalesce(p.proconfig @> array['search_path=""'], false) $$,
  array['analytics.run_etl_day(date,date[],date,text,text[])', 'analytics.run_nightly_etl_in_steps(date)',
        'analytics.run_scheduled_nightly_etl()'],
  'only the committing ETL procedures run without a pinned search_path');
select ok(not has_table_privilege('authenticated', 'analytics.user_daily_activity', 'select'), 'authenticated cannot read user activity');
select ok(not has_table_privilege('anon', 'analytics.user_first_seen', 'select'), 'anon cannot read first-seen days');
select ok((select relrowsecurity from pg_class where oid = 'analytics.user_daily_activity'::regclass), 'RLS on user_daily_activity');
select ok((select relrowsecurity from pg_class where oid = 'analytics.user_first_seen'::regclass), 'RLS on user_first_seen');

select * from finish();
rollback;

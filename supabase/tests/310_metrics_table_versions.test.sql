-- Data versions for the metrics response cache: every write statement on a table the metrics API
-- reads (insert, update, delete, truncate, by any writer role) adds 1 to that table's version,
-- other tables' versions stay, and nobody but the owner reads or bumps versions directly.
begin;
select plan(10);

create function pg_temp.v(p_table text) returns bigint language sql as $$
  select coalesce(sum(version), 0)::bigint from analytics.metrics_table_versions where table_name = p_table
$$;
create temp table before as
  select t as table_name, pg_temp.v(t) as version
  from unnest(array['metrics_daily_fulfillment', 'metrics_daily_payments', 'metrics_daily_calls', 'metrics_daily_engagement',
    'metrics_daily_content', 'metrics_cohort_retention', 'etl_job_runs']) as t;
create function pg_temp.grown(p_table text) returns bigint language sql as $$
  select pg_temp.v(p_table) - (select version from before where table_name = p_table)
$$;

insert into public.metrics_daily_content (metric_date, uploaded) values ('2012-10-01', 1);
select is(pg_temp.grown('metrics_daily_content'), 1::bigint, 'an insert adds 1');
update public.metrics_daily_content set uploaded = 2 where metric_date = '2012-10-01';
select is(pg_temp.grown('metrics_daily_content'), 2::bigint, 'an update adds 1');
delete from public.metrics_daily_content where metric_date = '2012-10-01';
select is(pg_temp.grown('metrics_daily_content'), 3::bigint, 'a delete adds 1');
delete from public.metrics_daily_content where false;
select is(pg_temp.grown('metrics_daily_content'), 4::bigint, 'a statement that changes no row still adds 1');
select is(pg_temp.grown('metrics_daily_calls'), 0::bigint, 'other tables keep their version');

truncate public.metrics_cohort_retention;
select is(pg_temp.grown('metrics_cohort_retention'), 1::bigint, 'a truncate adds 1');

insert into public.etl_job_runs (job_name, target_date, status) values ('pgtap', '2012-10-01', 'succeeded');
select is(pg_temp.grown('etl_job_runs'), 1::bigint, 'etl_job_runs (read by overview) is versioned too');

-- Writers without any privilege on the versions table still record their writes (security definer).
set local role service_role;
delete from public.metrics_daily_payments where false;
reset role;
select is(pg_temp.grown('metrics_daily_payments'), 1::bigint, 'a service_role write adds 1');

select ok(
  not has_table_privilege('authenticated', 'analytics.metrics_table_versions', 'select,insert,update,delete')
  and not has_table_privilege('anon', 'analytics.metrics_table_versions', 'select,insert,update,delete')
  and not has_table_privilege('service_role', 'analytics.metrics_table_versions', 'select,insert,update,delete'),
  'no API role can read or write the versions table');
select ok(
  not has_function_privilege('authenticated', 'analytics.bump_metrics_table_version()', 'execute')
  and not has_function_privilege('anon', 'analytics.bump_metrics_table_version()', 'execute'),
  'anon and authenticated cannot execute the trigger function');

select * from finish();
rollback;

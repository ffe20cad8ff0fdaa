-- Runbook views are admin-only: security invoker over admin-only tables, or filtered to admins.
begin;
\ir helpers/personas.psql
select plan(20);

create function tests.runbook_rows() returns table (view_name text, n bigint) language sql as $$
  select 'etl_status_by_date', count(*) from public.etl_status_by_date
  union all select 'event_volume_today', count(*) from public.event_volume_today
  union all select 'events_partition_sizes', count(*) from public.events_partition_sizes
  union all select 'etl_metrics_coverage with a pipeline status', count(*) from public.etl_metrics_coverage where pipeline_status is not null
$$;
grant execute on function tests.runbook_rows() to authenticated;
insert into public.etl_job_runs (job_name, target_date, status) values ('pipeline', current_date - 1, 'succeeded');

-- Non-admin personas: nothing in any runbook view (4 personas x 4 views).
create function tests.sees_no_runbook_rows(p_who text) returns setof text language sql as $$
  select is(r.n, 0::bigint, format('%s sees no row of %s', p_who, r.view_name)) from tests.runbook_rows() r
$$;
grant execute on function tests.sees_no_runbook_rows(text) to authenticated;

set local role authenticated;
select set_config('request.jwt.claims', tests.claims('client', :client_id), true);
select tests.sees_no_runbook_rows('client');
select set_config('request.jwt.claims', tests.claims('reader', :reader_id), true);
select tests.sees_no_runbook_rows('reader');
select set_config('request.jwt.claims', tests.claims('monitor', :monitor_id), true);
select tests.sees_no_runbook_rows('monitor');
select set_config('request.jwt.claims', tests.claims('client', :client_id, '{"role": "admin"}'), true);
select tests.sees_no_runbook_rows('a client claiming admin in user_metadata');

-- Admins see every view's rows.
select set_config('request.jwt.claims', tests.claims('admin', :admin_id), true);
select cmp_ok(r.n, '>', 0::bigint, format('admin sees rows of %s', r.view_name)) from tests.runbook_rows() r;

reset role;
select * from finish();
rollback;

-- Running ETL jobs, and the ones that will never finish. Each etl_job_runs row records the backend
-- that runs it; a `running` row whose backend is gone (killed, crashed, restarted) is abandoned.
-- Added without a default first: rows written before this migration name no session.
alter table public.etl_job_runs add column backend_pid integer;
alter table public.etl_job_runs alter column backend_pid set default pg_catalog.pg_backend_pid();
comment on column public.etl_job_runs.backend_pid is
  'Process id of the session that ran the job; a running row whose session is gone was abandoned.';
create index etl_job_runs_running_idx on public.etl_job_runs (started_at) where status = 'running';
comment on index public.etl_job_runs_running_idx is 'The few running rows, for health and stale-run detection.';

-- The daily jobs, in the order the pipeline runs them.
create or replace function analytics.etl_job_names()
returns text[]
language sql
immutable
set search_path = ''
as $$
  select array['fulfillment', 'payments', 'calls', 'engagement', 'content', 'cohort_retention']
$$;
comment on function analytics.etl_job_names() is 'The daily ETL jobs in pipeline order (engagement before cohort_retention).';
revoke all on function analytics.etl_job_names() from public, anon, authenticated;
grant execute on function analytics.etl_job_names() to service_role;

-- Alive: a session with that pid that started no later than the run (a reused pid started later).
-- pg_stat_activity shows pid and backend_start of every session to every role.
create or replace function analytics.etl_running_jobs(p_now timestamptz default now())
returns table (id bigint, job_name text, target_date date, started_at timestamptz, backend_pid integer,
  session_alive boolean, stale boolean)
language sql
stable
set search_path = ''
as $$
  select r.id, r.job_name, r.target_date, r.started_at, r.backend_pid, a.alive,
    not a.alive or r.started_at < p_now - coalesce((select o.stale_run_after from analytics.ops_settings o), interval '6 hours')
  from public.etl_job_runs r
  cross join lateral (
    select exists (select 1 from pg_catalog.pg_stat_activity s
                   where s.pid = r.backend_pid and s.backend_start <= r.started_at) as alive
  ) a
  where r.status = 'running'
  order by r.started_at, r.id
$$;
comment on function analytics.etl_running_jobs(timestamptz) is
  'ETL job runs recorded as running, whether their session is still alive, and whether they are stale (session gone, or running longer than ops_settings.stale_run_after).';
revoke all on function analytics.etl_running_jobs(timestamptz) from public, anon, authenticated;
grant execute on function analytics.etl_running_jobs(timestamptz) to service_role;

-- Finished and failed rows are always written: a run whose session died is recorded as failed by
-- the next nightly run or health evaluation.
create or replace function analytics.fail_abandoned_etl_runs()
returns integer
language sql
set search_path = ''
as $$
  with abandoned as (
    update public.etl_job_runs r
    set status = 'failed', finished_at = now(), rows_written = 0,
      error = format('abandoned: its session (pid %s) ended before the job finished (killed, crashed or restarted)', r.backend_pid)
    from analytics.etl_running_jobs() j
    where r.id = j.id and not j.session_alive and r.status = 'running'
    returning 1
  )
  select count(*)::integer from abandoned
$$;
comment on function analytics.fail_abandoned_etl_runs() is
  'Marks running etl_job_runs rows whose session is gone as failed (error "abandoned: ..."). Returns how many.';
revoke all on function analytics.fail_abandoned_etl_runs() from public, anon, authenticated;
grant execute on function analytics.fail_abandoned_etl_runs() to service_role;

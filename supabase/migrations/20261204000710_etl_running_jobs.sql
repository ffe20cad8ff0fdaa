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
create or replace function analytics.session_alive(p_pid integer, p_since timestamptz)
returns boolean
language sql
stable
set search_path = ''
as $$
  select exists (select 1 from pg_catalog.pg_stat_activity s where s.pid = p_pid and s.backend_start <= p_since)
$$;
comment on function analytics.session_alive(integer, timestamptz) is
  'Whether the session with process id p_pid that was there at p_since still is (a reused pid belongs to a later session).';
revoke all on function analytics.session_alive(integer, timestamptz) from public, anon, authenticated;
grant execute on function analytics.session_alive(integer, timestamptz) to service_role;

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
  cross join lateral (select analytics.session_alive(r.backend_pid, r.started_at) as alive) a
  where r.status = 'running'
  order by r.started_at, r.id
$$;
comment on function analytics.etl_running_jobs(timestamptz) is
  'ETL job runs recorded as running, whether their session is still alive, and whether they are stale (session gone, or running longer than ops_settings.stale_run_after).';
revoke all on function analytics.etl_running_jobs(timestamptz) from public, anon, authenticated;
grant execute on function analytics.etl_running_jobs(timestamptz) to service_role;

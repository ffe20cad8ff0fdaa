-- The ETL job runner. Each job computes one local day (reporting time zone) of one KPI table (etl/<job>.sql) by
-- DELETE-then-INSERT inside a subtransaction, so a failing job leaves the previous rows of its day
-- untouched and is recorded as failed; every run is logged in public.etl_job_runs (kept 1 year).
-- Concurrency: a second run for the same job and day WAITS for the first (pg_advisory_xact_lock)
-- and then recomputes from committed data, so two runs never double rows and a run that started
-- after a late event always sees it. Each row records the backend that runs it; a `running` row
-- whose backend is gone (killed, crashed, restarted) is abandoned (analytics.session_alive).
--
-- The writers run without JIT (`set jit = off` on each): the planner's cost for a BRIN day scan
-- grows with the partition, not with the day, so with a month partition filling up every
-- writer's statement crossed the JIT thresholds, and LLVM compilation took a large share of each
-- run of statements that are single passes over one day.
-- The writers that sort or hash a day's events (fulfillment, payments, calls, engagement) also set
-- `work_mem = '128MB'`: the nightly is one session, and a hosted instance's default (a few MB on the
-- small compute sizes) would spill those sorts to disk. A cap, not an allocation: a small day uses
-- what it needs.
-- The writers and the nightly's functions that run statements for given days plan them for those
-- days every time (`plan_cache_mode = force_custom_plan`): PL/pgSQL keeps a statement's plan for the
-- session, and from its sixth run Postgres may switch to a generic plan, made without the day's
-- bounds (no partition pruning at planning, estimates for any day). A run over many days (late
-- events, a catch-up, a rebuild) repeats every statement in one session, and the generic plans were
-- much slower there (measured in bench/history.md, ETL); planning a day's statements is cheap by comparison.

create table public.etl_job_runs (
  id bigint generated always as identity primary key,
  job_name text not null,
  target_date date not null,
  started_at timestamptz not null default now(),
  finished_at timestamptz,
  status text not null default 'running',
  rows_written bigint,
  error text,
  backend_pid integer default pg_catalog.pg_backend_pid(),
  constraint etl_job_runs_status check (status in ('running', 'succeeded', 'failed', 'skipped'))
);
create index etl_job_runs_target_date_idx on public.etl_job_runs (target_date, job_name, started_at desc);
comment on table public.etl_job_runs is 'One row per ETL job run: what ran for which day, how it ended. Kept 1 year.';
comment on column public.etl_job_runs.id is 'Run id.';
comment on column public.etl_job_runs.job_name is 'ETL job (fulfillment, payments, calls, engagement, content, cohort_retention, pipeline).';
comment on column public.etl_job_runs.target_date is 'Local day (reporting time zone) the job computed.';
comment on column public.etl_job_runs.started_at is 'When the job started.';
comment on column public.etl_job_runs.finished_at is 'When the job ended; null while running.';
comment on column public.etl_job_runs.status is 'running | succeeded | failed | skipped (another run held the day).';
comment on column public.etl_job_runs.rows_written is 'Metric rows the job wrote.';
comment on column public.etl_job_runs.error is 'Error text when the job failed.';
comment on column public.etl_job_runs.backend_pid is
  'Process id of the session that ran the job; a running row whose session is gone was abandoned.';
comment on index public.etl_job_runs_target_date_idx is 'Status look-ups by day and job.';

-- Admins and the BI login read the run log through RLS (access.sql); the ETL functions and the
-- service role write it.
alter table public.etl_job_runs enable row level security;
revoke all on public.etl_job_runs from public, anon, authenticated;
grant all on public.etl_job_runs to service_role;
grant select on public.etl_job_runs to authenticated, bi_reader;

-- The runner, which takes over the running row this session committed for the
-- job and day (analytics.etl_open_day_runs) instead of inserting one in the work's transaction.
create or replace function analytics.run_etl_job(p_job text, p_date date)
returns public.etl_job_runs
language plpgsql
set search_path = ''
as $$
declare
  v_run public.etl_job_runs;
  v_rows bigint;
  v_error text;
begin
  if p_date is null then
    raise exception 'run_etl_job: date is required' using errcode = '22004';
  end if;

  select * into v_run from public.etl_job_runs r
  where r.job_name = p_job and r.target_date = p_date and r.status = 'running'
    and r.backend_pid = pg_catalog.pg_backend_pid()
  order by r.id desc limit 1
  for update;
  if v_run.id is null then
    insert into public.etl_job_runs (job_name, target_date, started_at, status)
    values (p_job, p_date, clock_timestamp(), 'running')
    returning * into v_run;
  end if;

  -- Held until the caller's transaction ends: readers and other runs never see a half-written day.
  perform pg_advisory_xact_lock(hashtext('analytics.etl:' || p_job), p_date - date '2000-01-01');

  begin
    case p_job
      when 'fulfillment' then v_rows := analytics.write_fulfillment_metrics(p_date);
      when 'payments' then v_rows := analytics.write_payments_metrics(p_date);
      when 'calls' then v_rows := analytics.write_calls_metrics(p_date);
      when 'engagement' then v_rows := analytics.write_engagement_metrics(p_date);
      when 'content' then v_rows := analytics.write_content_metrics(p_date);
      when 'cohort_retention' then v_rows := analytics.write_cohort_retention_metrics(p_date);
      else raise exception 'run_etl_job: unknown job %', p_job using errcode = '22023';
    end case;
    update public.etl_job_runs
    set status = 'succeeded', finished_at = clock_timestamp(), rows_written = v_rows
    where id = v_run.id
    returning * into v_run;
  exception when others then
    get stacked diagnostics v_error = message_text;
    update public.etl_job_runs
    set status = 'failed', finished_at = clock_timestamp(), rows_written = 0, error = v_error
    where id = v_run.id
    returning * into v_run;
    raise warning 'ETL job % for % failed: %', p_job, p_date, v_error;
  end;
  return v_run;
end;
$$;
comment on function analytics.run_etl_job(text, date) is
  'Runs one ETL job for one local day under an advisory lock per (job, day), recording it in etl_job_runs (the running row this session committed for it, else a new one); a failure is recorded (and raised as a WARNING), not thrown.';
revoke all on function analytics.run_etl_job(text, date) from public, anon, authenticated;
grant execute on function analytics.run_etl_job(text, date) to service_role;

-- Public entry points (docs/design.md §7): each returns the run's status (succeeded | failed).
create or replace function analytics.compute_daily_fulfillment_metrics(p_date date)
returns text language plpgsql set search_path = ''
as $$ begin return (analytics.run_etl_job('fulfillment', p_date)).status; end; $$;
create or replace function analytics.compute_daily_payments_metrics(p_date date)
returns text language plpgsql set search_path = ''
as $$ begin return (analytics.run_etl_job('payments', p_date)).status; end; $$;
create or replace function analytics.compute_daily_calls_metrics(p_date date)
returns text language plpgsql set search_path = ''
as $$ begin return (analytics.run_etl_job('calls', p_date)).status; end; $$;
create or replace function analytics.compute_daily_engagement_metrics(p_date date)
returns text language plpgsql set search_path = ''
as $$ begin return (analytics.run_etl_job('engagement', p_date)).status; end; $$;
create or replace function analytics.compute_daily_content_metrics(p_date date)
returns text language plpgsql set search_path = ''
as $$ begin return (analytics.run_etl_job('content', p_date)).status; end; $$;
create or replace function analytics.compute_cohort_retention_metrics(p_date date)
returns text language plpgsql set search_path = ''
as $$ begin return (analytics.run_etl_job('cohort_retention', p_date)).status; end; $$;

comment on function analytics.compute_daily_fulfillment_metrics(date) is
  'Recomputes metrics_daily_fulfillment for the local day (delete-then-insert, logged in etl_job_runs). Returns succeeded | failed.';
comment on function analytics.compute_daily_payments_metrics(date) is
  'Recomputes metrics_daily_payments for the local day (delete-then-insert, logged in etl_job_runs). Returns succeeded | failed.';
comment on function analytics.compute_daily_calls_metrics(date) is
  'Recomputes metrics_daily_calls for the local day (delete-then-insert, logged in etl_job_runs). Returns succeeded | failed.';
comment on function analytics.compute_daily_engagement_metrics(date) is
  'Upserts the day''s user activity, then recomputes metrics_daily_engagement for the local day. Returns succeeded | failed.';
comment on function analytics.compute_daily_content_metrics(date) is
  'Recomputes metrics_daily_content for the local day (delete-then-insert, logged in etl_job_runs). Returns succeeded | failed.';
comment on function analytics.compute_cohort_retention_metrics(date) is
  'Recomputes every metrics_cohort_retention row whose day cohort_date + retention_day is the given day. Returns succeeded | failed.';

revoke all on function analytics.compute_daily_fulfillment_metrics(date), analytics.compute_daily_payments_metrics(date),
  analytics.compute_daily_calls_metrics(date), analytics.compute_daily_engagement_metrics(date),
  analytics.compute_daily_content_metrics(date), analytics.compute_cohort_retention_metrics(date)
  from public, anon, authenticated;
grant execute on function analytics.compute_daily_fulfillment_metrics(date), analytics.compute_daily_payments_metrics(date),
  analytics.compute_daily_calls_metrics(date), analytics.compute_daily_engagement_metrics(date),
  analytics.compute_daily_content_metrics(date), analytics.compute_cohort_retention_metrics(date)
  to service_role;

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

-- The jobs whose day an event is read by, as each writer selects its day's events (etl/<job>.sql):
-- a computed day that receives late events reruns only those (etl_process_prepare). What the
-- events change on other days (histories, links, activity) is found apart from this.
create or replace function analytics.etl_jobs_reading(p_domain text, p_type text, p_user_initiated boolean)
returns text[]
language sql
immutable
set search_path = ''
as $$
  select array_remove(array[
    case when p_domain = 'orders' then 'fulfillment' end,
    case when p_domain = 'payments' then 'payments' end,
    case when p_domain = 'calls' then 'calls' end,
    case when x.engagement then 'engagement' end,
    case when p_domain = 'content'
           and p_type in ('horoscope_uploaded', 'horoscope_approved', 'horoscope_rejected', 'horoscope_published') then 'content' end,
    case when x.engagement then 'cohort_retention' end], null)
  -- Engagement: activity (user-initiated events of any domain), the notification funnel and listens.
  -- The day's cohort rows follow its activity.
  from (select p_user_initiated
          or (p_domain in ('notifications', 'content')
              and p_type in ('notification_sent', 'notification_delivered', 'notification_opened',
                             'notification_opted_out', 'horoscope_listened')) as engagement) x
$$;
comment on function analytics.etl_jobs_reading(text, text, boolean) is
  'The daily ETL jobs that read an event of this domain and type on its own day (p_user_initiated: it has a user and a type of analytics.user_initiated_event_types()), in pipeline order; cohort_retention goes with engagement.';
revoke all on function analytics.etl_jobs_reading(text, text, boolean) from public, anon, authenticated;
grant execute on function analytics.etl_jobs_reading(text, text, boolean) to service_role;

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
create index etl_job_runs_running_idx on public.etl_job_runs (started_at) where status = 'running';
comment on index public.etl_job_runs_running_idx is 'The few running rows, for health and stale-run detection.';

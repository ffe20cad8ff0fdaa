-- The ETL job runner. Each job computes one UTC day of one KPI table (etl/<job>.sql) by
-- DELETE-then-INSERT inside a subtransaction, so a failing job leaves the previous rows of its day
-- untouched and is recorded as failed; every run is logged in public.etl_job_runs (kept 1 year).
-- Concurrency: a second run for the same job and day WAITS for the first (pg_advisory_xact_lock)
-- and then recomputes from committed data, so two runs never double rows and a run that started
-- after a late event always sees it.
--
-- The writers run without JIT (`set jit = off` on each): the planner's cost for a BRIN day scan
-- grows with the partition, not with the day, so with a month partition filling up every
-- writer's statement crossed the JIT thresholds, and LLVM compilation took a large share of each
-- run of statements that are single passes over one day.

create table public.etl_job_runs (
  id bigint generated always as identity primary key,
  job_name text not null,
  target_date date not null,
  started_at timestamptz not null default now(),
  finished_at timestamptz,
  status text not null default 'running',
  rows_written bigint,
  error text,
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
comment on index public.etl_job_runs_target_date_idx is 'Status look-ups by day and job.';

-- Admins and the BI login read the run log through RLS (access.sql); the ETL functions and the
-- service role write it.
alter table public.etl_job_runs enable row level security;
revoke all on public.etl_job_runs from public, anon, authenticated;
grant all on public.etl_job_runs to service_role;
grant select on public.etl_job_runs to authenticated, bi_reader;

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

  insert into public.etl_job_runs (job_name, target_date, started_at, status)
  values (p_job, p_date, clock_timestamp(), 'running')
  returning * into v_run;

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
  'Runs one ETL job for one UTC day under an advisory lock per (job, day), recording it in etl_job_runs; a failure is recorded (and raised as a WARNING), not thrown.';
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
  'Recomputes metrics_daily_fulfillment for the UTC day (delete-then-insert, logged in etl_job_runs). Returns succeeded | failed.';
comment on function analytics.compute_daily_payments_metrics(date) is
  'Recomputes metrics_daily_payments for the UTC day (delete-then-insert, logged in etl_job_runs). Returns succeeded | failed.';
comment on function analytics.compute_daily_calls_metrics(date) is
  'Recomputes metrics_daily_calls for the UTC day (delete-then-insert, logged in etl_job_runs). Returns succeeded | failed.';
comment on function analytics.compute_daily_engagement_metrics(date) is
  'Upserts the day''s user activity, then recomputes metrics_daily_engagement for the UTC day. Returns succeeded | failed.';
comment on function analytics.compute_daily_content_metrics(date) is
  'Recomputes metrics_daily_content for the UTC day (delete-then-insert, logged in etl_job_runs). Returns succeeded | failed.';
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

-- The daily pipeline (every job, each in its own subtransaction) and the nightly entry point that
-- computes yesterday plus every day that received late events since it was last computed.

create or replace function analytics.run_daily_etl_pipeline(p_date date)
returns text
language plpgsql
set search_path = ''
as $$
declare
  v_job text;
  v_run public.etl_job_runs;
  v_pipeline_id bigint;
  v_rows bigint := 0;
  v_failed text[] := '{}'::text[];
  v_error text;
  v_status text;
begin
  if p_date is null then
    raise exception 'run_daily_etl_pipeline: date is required' using errcode = '22004';
  end if;
  insert into public.etl_job_runs (job_name, target_date, started_at, status)
  values ('pipeline', p_date, clock_timestamp(), 'running')
  returning id into v_pipeline_id;

  -- Engagement before cohort_retention: it maintains the activity tables cohorts read.
  foreach v_job in array array['fulfillment', 'payments', 'calls', 'engagement', 'content', 'cohort_retention'] loop
    begin
      v_run := analytics.run_etl_job(v_job, p_date);
      v_rows := v_rows + coalesce(v_run.rows_written, 0);
      if v_run.status <> 'succeeded' then
        v_failed := v_failed || v_job;
      end if;
    exception when others then
      -- run_etl_job records its own failures; this only catches one it could not record.
      get stacked diagnostics v_error = message_text;
      v_failed := v_failed || v_job;
      raise warning 'ETL job % for % failed unrecorded: %', v_job, p_date, v_error;
    end;
  end loop;

  v_status := case when cardinality(v_failed) = 0 then 'succeeded' else 'failed' end;
  update public.etl_job_runs
  set status = v_status, finished_at = clock_timestamp(), rows_written = v_rows,
    error = case when v_status = 'failed' then 'failed jobs: ' || array_to_string(v_failed, ', ') end
  where id = v_pipeline_id;
  return v_status;
end;
$$;
comment on function analytics.run_daily_etl_pipeline(date) is
  'Runs every daily ETL job for the UTC day, each isolated so one failure does not stop the others; records a "pipeline" etl_job_runs row. Returns succeeded | failed.';
revoke all on function analytics.run_daily_etl_pipeline(date) from public, anon, authenticated;
grant execute on function analytics.run_daily_etl_pipeline(date) to service_role;

-- Late events: days that received events after a successful run, to recompute on the next night.
create table analytics.etl_pending_days (
  metric_date date not null,
  marked_at timestamptz not null default now(),
  constraint etl_pending_days_pkey primary key (metric_date)
);
comment on table analytics.etl_pending_days is
  'UTC days that received events after they were last computed successfully; analytics.run_nightly_etl recomputes and clears them.';
comment on column analytics.etl_pending_days.metric_date is 'The day to recompute.';
comment on column analytics.etl_pending_days.marked_at is 'When the first late event for the day was seen.';
alter table analytics.etl_pending_days enable row level security;
revoke all on analytics.etl_pending_days from public, anon, authenticated;
grant select, insert, update, delete on analytics.etl_pending_days to service_role;

-- Statement-level with a transition table: one cheap distinct over the batch per INSERT/COPY, and
-- a day is marked only when it already has a successful run (today's events cost one index probe).
create or replace function analytics.mark_late_event_days()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into analytics.etl_pending_days (metric_date)
  select d.day
  from (select distinct (n.event_timestamp at time zone 'UTC')::date as day from new_events n) d
  where exists (
    select 1 from public.etl_job_runs r
    where r.target_date = d.day and r.status = 'succeeded' and r.job_name <> 'pipeline')
  on conflict (metric_date) do nothing;
  return null;
end;
$$;
comment on function analytics.mark_late_event_days() is
  'AFTER INSERT statement trigger on events_raw: records already computed days that received new events in analytics.etl_pending_days.';
revoke all on function analytics.mark_late_event_days() from public, anon, authenticated;

create trigger events_raw_mark_late_days
  after insert on public.events_raw
  referencing new table as new_events
  for each statement execute function analytics.mark_late_event_days();
comment on trigger events_raw_mark_late_days on public.events_raw is
  'Marks already computed days that receive late events, for the next nightly ETL run.';

-- The nightly entry point (pg_cron, 02:00 UTC): yesterday plus pending days, oldest first. A function
-- (one transaction): a procedure could commit per day, but procedures with `set search_path` may
-- not. A day whose pipeline failed stays pending. Cohort rows of earlier cohorts observed on a
-- recomputed day are rewritten by its cohort_retention job.
create or replace function analytics.run_nightly_etl(p_today date default null)
returns table (metric_date date, status text)
language plpgsql
set search_path = ''
as $$
declare
  v_today date := coalesce(p_today, (now() at time zone 'UTC')::date);
  v_day date;
begin
  for v_day in
    select d.day from (
      select v_today - 1 as day
      union
      select p.metric_date from analytics.etl_pending_days p where p.metric_date < v_today
    ) d order by d.day
  loop
    delete from analytics.etl_pending_days p where p.metric_date = v_day;
    metric_date := v_day;
    status := analytics.run_daily_etl_pipeline(v_day);
    if status <> 'succeeded' then
      insert into analytics.etl_pending_days as p (metric_date) values (v_day) on conflict on constraint etl_pending_days_pkey do nothing;
    end if;
    return next;
  end loop;
end;
$$;
comment on function analytics.run_nightly_etl(date) is
  'Nightly ETL: runs run_daily_etl_pipeline for yesterday (UTC) and every pending late-event day; returns each day''s status. p_today overrides today for tests and catch-up runs.';
revoke all on function analytics.run_nightly_etl(date) from public, anon, authenticated;
grant execute on function analytics.run_nightly_etl(date) to service_role;

-- The daily pipeline for one local day (reporting time zone): every job (or those p_jobs names),
-- each in its own subtransaction (engagement before cohort_retention), the day recorded with its
-- zone in analytics.etl_days; and the late-event marks. The nightly run is in etl/nightly.sql.
-- The pipeline first summarizes the new BRIN ranges of the partitions its jobs read. Rows stored
-- after a BRIN range was last summarized sit in unsummarized ranges, which a bitmap scan through
-- the BRIN index must read whole: without this, each job's scan of one day also read every page
-- stored since autovacuum last summarized the index.
create or replace function analytics.run_daily_etl_pipeline(p_date date, p_jobs text[] default null)
returns text
language plpgsql
set search_path = ''
as $$
declare
  v_zone text := analytics.reporting_time_zone();
  v_job text;
  v_run public.etl_job_runs;
  v_pipeline_id bigint;
  v_rows bigint := 0;
  v_failed text[] := '{}'::text[];
  v_error text;
  v_status text;
  v_lock_timeout text := current_setting('lock_timeout');
  v_run_days text := current_setting('analytics.etl_run_days', true);
  v_jobs text[] := coalesce(p_jobs, analytics.etl_job_names());
begin
  if p_date is null then
    raise exception 'run_daily_etl_pipeline: date is required' using errcode = '22004';
  end if;
  if not (v_jobs <@ analytics.etl_job_names()) then
    raise exception 'run_daily_etl_pipeline: unknown job in %', p_jobs using errcode = '22023';
  end if;
  insert into public.etl_job_runs (job_name, target_date, started_at, status)
  values ('pipeline', p_date, clock_timestamp(), 'running')
  returning id into v_pipeline_id;
  -- The day's own cohort job follows its engagement job: changes of the day's activity need no
  -- other propagation for it.
  if 'engagement' = any(v_jobs) then
    perform set_config('analytics.etl_run_days', (analytics.etl_run_days() || p_date)::text, true);
  end if;

  -- The partitions the day's scans read. Summarizing holds each one's share update exclusive lock
  -- to the end of the transaction: when another run (or a vacuum) holds it, skip rather than wait.
  -- A failure here only makes the scans slower, never the results different.
  begin
    perform set_config('lock_timeout', '1s', true);
    perform analytics.summarize_events_brin(p_date::timestamp at time zone v_zone, (p_date + 1)::timestamp at time zone v_zone);
    perform set_config('lock_timeout', v_lock_timeout, true);
  exception when others then
    get stacked diagnostics v_error = message_text;
    raise notice 'run_daily_etl_pipeline: BRIN summaries skipped: %', v_error;
  end;

  -- Engagement before cohort_retention: it maintains the activity tables cohorts read.
  foreach v_job in array analytics.etl_job_names() loop
    continue when not (v_job = any(v_jobs));
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

  insert into analytics.etl_days as d (metric_date, time_zone, computed_at) values (p_date, v_zone, now())
  on conflict (metric_date) do update set time_zone = excluded.time_zone, computed_at = excluded.computed_at;
  perform set_config('analytics.etl_run_days', coalesce(v_run_days, ''), true);

  v_status := case when cardinality(v_failed) = 0 then 'succeeded' else 'failed' end;
  update public.etl_job_runs
  set status = v_status, finished_at = clock_timestamp(), rows_written = v_rows,
    error = case when v_status = 'failed' then 'failed jobs: ' || array_to_string(v_failed, ', ') end
  where id = v_pipeline_id;
  return v_status;
end;
$$;
comment on function analytics.run_daily_etl_pipeline(date, text[]) is
  'Runs every daily ETL job for one local day (reporting time zone), or those p_jobs names, each isolated so one failure does not stop the others, after summarizing new BRIN ranges of the day''s partitions; records the day and its zone in analytics.etl_days and a "pipeline" etl_job_runs row. Returns succeeded | failed.';
revoke all on function analytics.run_daily_etl_pipeline(date, text[]) from public, anon, authenticated;
grant execute on function analytics.run_daily_etl_pipeline(date, text[]) to service_role;

-- security definer: brin_summarize_new_values needs the index owner (the partitions' owner, which
-- creates them), and the pipeline also runs as service_role. It only ever touches the BRIN indexes
-- of events_raw's partitions that overlap [p_from, p_to), and of the DEFAULT partition: the ones a
-- day's jobs read. (Each summary holds the partition's share update exclusive lock to the end of
-- the transaction, so partitions the pipeline does not read are left alone: the purge can drop them.)
create or replace function analytics.summarize_events_brin(p_from timestamptz, p_to timestamptz)
returns bigint
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_index regclass;
  v_ranges bigint := 0;
begin
  for v_index in
    select i.indexrelid::regclass
    from pg_catalog.pg_inherits h
    join pg_catalog.pg_class p on p.oid = h.inhrelid
    join pg_catalog.pg_index i on i.indrelid = p.oid
    join pg_catalog.pg_class c on c.oid = i.indexrelid
    join pg_catalog.pg_am a on a.oid = c.relam
    cross join lateral (
      select regexp_match(pg_catalog.pg_get_expr(p.relpartbound, p.oid), $re$FROM \('([^']+)'\) TO \('([^']+)'\)$re$) as b
    ) bound
    where h.inhparent = 'public.events_raw'::regclass and a.amname = 'brin'
      and (bound.b is null  -- DEFAULT
           or (bound.b[1]::timestamptz < p_to and bound.b[2]::timestamptz > p_from))
    order by 1
  loop
    v_ranges := v_ranges + pg_catalog.brin_summarize_new_values(v_index);
  end loop;
  return v_ranges;
end;
$$;
comment on function analytics.summarize_events_brin(timestamptz, timestamptz) is
  'Summarizes the not yet summarized BRIN ranges of the events_raw partitions overlapping [p_from, p_to) and of DEFAULT, so day scans read only their day''s pages. Returns the number of ranges summarized.';
revoke all on function analytics.summarize_events_brin(timestamptz, timestamptz) from public, anon, authenticated;
grant execute on function analytics.summarize_events_brin(timestamptz, timestamptz) to service_role;

-- Late events: days that received events after (or while) they were computed, to recompute on the
-- next night. Ingestion only appends marks (no unique key: nothing for a batch to wait on, even
-- while the nightly run works on the day); the nightly run reads the marks committed before it
-- starts and deletes exactly those once their day has been computed, so a mark added while it runs
-- stays for the next run.
create table analytics.etl_late_day_marks (
  mark_id bigint generated always as identity,
  metric_date date not null,
  marked_at timestamptz not null default now(),
  constraint etl_late_day_marks_pkey primary key (mark_id)
);
create index etl_late_day_marks_metric_date_idx on analytics.etl_late_day_marks (metric_date);
comment on table analytics.etl_late_day_marks is
  'Append-only marks of local days that received events after (or while) they were computed; analytics.run_nightly_etl recomputes the days and deletes the marks it read.';
comment on column analytics.etl_late_day_marks.mark_id is 'Identity of the mark; the nightly run deletes marks by id.';
comment on column analytics.etl_late_day_marks.metric_date is 'The local day (reporting time zone) to recompute.';
comment on column analytics.etl_late_day_marks.marked_at is 'The ingested_at of the events that made the mark: the nightly run reads those events of the day.';
comment on index analytics.etl_late_day_marks_metric_date_idx is 'The marks of one day.';
alter table analytics.etl_late_day_marks enable row level security;
revoke all on analytics.etl_late_day_marks from public, anon, authenticated;
grant select, insert, delete on analytics.etl_late_day_marks to service_role;

-- The nightly run finds a marked day's new events by their ingested_at (etl/nightly.sql). Rows are
-- stored in the order they arrive, so each range of pages holds a narrow interval of ingested_at:
-- the pages holding the late events are found without reading their whole day.
create index events_raw_ingested_at_brin on public.events_raw using brin (ingested_at);
comment on index public.events_raw_ingested_at_brin is
  'ETL: the pages holding the events stored in an interval of time (a late day''s new events).';

create view analytics.etl_pending_days
with (security_invoker = true)
as
select m.metric_date, min(m.marked_at) as marked_at
from analytics.etl_late_day_marks m
group by m.metric_date;
comment on view analytics.etl_pending_days is
  'Local days waiting for recomputation by the next nightly run (analytics.etl_late_day_marks, one row a day).';
comment on column analytics.etl_pending_days.metric_date is 'The day to recompute.';
comment on column analytics.etl_pending_days.marked_at is 'When the first of its marks was added.';
revoke all on analytics.etl_pending_days from public, anon, authenticated;
grant select on analytics.etl_pending_days to service_role;

-- Statement-level with a transition table: one cheap distinct over the batch per INSERT/COPY.
-- Append-only marks that ingestion never waits for, in local days, for every past local day
-- (computed or not: a day within raw retention that receives events is computed, and what they
-- change elsewhere too) and every computed day, each mark carrying the events' ingested_at: the
-- nightly run reads exactly the events that arrived with its marks.
-- Today's events are not marked: the nightly run computes today tomorrow, whole.
-- No JIT: a session analyses this statement once, with the row count of its first batch, and
-- keeps that estimate for every later call. A session whose first insert was large (a backfill,
-- a bulk COPY through a pooled connection) would otherwise JIT-compile the statement again for
-- every small batch it stores afterwards, which costs more than storing the batch
-- (bench/history.md, "the JIT trap").
create or replace function analytics.mark_late_event_days()
returns trigger
language plpgsql
security definer
set search_path = ''
set jit = off
as $$
declare
  v_zone text := analytics.reporting_time_zone();
  v_today date := (now() at time zone v_zone)::date;
begin
  insert into analytics.etl_late_day_marks (metric_date, marked_at)
  select d.day, d.ingested_at
  from (select distinct (n.event_timestamp at time zone v_zone)::date as day, n.ingested_at from new_events n) d
  where d.day < v_today
     or exists (select 1 from analytics.etl_days c where c.metric_date = d.day);
  return null;
end;
$$;
comment on function analytics.mark_late_event_days() is
  'AFTER INSERT statement trigger on events_raw: appends a mark (analytics.etl_late_day_marks: local day, the events'' ingested_at) for each past local day and each computed day that received new events.';
revoke all on function analytics.mark_late_event_days() from public, anon, authenticated;

create trigger events_raw_mark_late_days
  after insert on public.events_raw
  referencing new table as new_events
  for each statement execute function analytics.mark_late_event_days();
comment on trigger events_raw_mark_late_days on public.events_raw is
  'Marks already computed days that receive late events, for the next nightly ETL run.';

-- First transaction of a day: a running row per job, committed by the caller before the work.
create or replace function analytics.etl_open_day_runs(p_date date, p_jobs text[] default null)
returns integer
language sql
set search_path = ''
as $$
  with opened as (
    insert into public.etl_job_runs (job_name, target_date, started_at, status)
    select j, p_date, now(), 'running' from unnest(analytics.etl_job_names()) as j
    where j = any(coalesce(p_jobs, analytics.etl_job_names()))
    returning 1
  )
  select count(*)::integer from opened
$$;
comment on function analytics.etl_open_day_runs(date, text[]) is
  'Records a running etl_job_runs row for each daily job of the day (or those p_jobs names), for this session; commit before the day''s work (analytics.run_etl_day) so that others see it running.';
revoke all on function analytics.etl_open_day_runs(date, text[]) from public, anon, authenticated;
grant execute on function analytics.etl_open_day_runs(date, text[]) to service_role;

-- Second transaction of a day: the pipeline, in the run's context (the days it computes in full,
-- its "today"). Whatever happens, no row of this session for the day is left running.
create or replace function analytics.etl_compute_day(p_date date, p_run_days date[] default null, p_today date default null,
  p_jobs text[] default null)
returns text
language plpgsql
set search_path = ''
as $$
declare
  v_status text;
  v_error text;
begin
  if p_today is not null then
    perform pg_catalog.set_config('analytics.etl_today', p_today::text, true);
  end if;
  if p_run_days is not null then
    perform pg_catalog.set_config('analytics.etl_run_days', p_run_days::text, true);
  end if;
  begin
    v_status := analytics.run_daily_etl_pipeline(p_date, p_jobs);
  exception when others then
    get stacked diagnostics v_error = message_text;
    v_status := 'failed';
    raise warning 'ETL pipeline for % failed: %', p_date, v_error;
  end;
  update public.etl_job_runs r
  set status = 'failed', finished_at = now(), rows_written = 0,
    error = coalesce('pipeline failed: ' || v_error, 'the pipeline ended without running this job')
  where r.target_date = p_date and r.status = 'running' and r.backend_pid = pg_catalog.pg_backend_pid();
  return v_status;
end;
$$;
comment on function analytics.etl_compute_day(date, date[], date, text[]) is
  'Computes one local day (analytics.run_daily_etl_pipeline: every job, or those p_jobs names) with the run''s days (analytics.etl_run_days) and its today; marks this session''s rows for the day that are still running as failed. Returns succeeded | failed.';
revoke all on function analytics.etl_compute_day(date, date[], date, text[]) from public, anon, authenticated;
grant execute on function analytics.etl_compute_day(date, date[], date, text[]) to service_role;

-- Procedures that COMMIT may not have a SET clause: no `set search_path`; every name below is
-- schema-qualified and every function they call sets its own.
create or replace procedure analytics.run_etl_day(p_date date, p_run_days date[] default null, p_today date default null,
  inout p_status text default null, p_jobs text[] default null)
language plpgsql
as $$
begin
  perform analytics.etl_open_day_runs(p_date, p_jobs);
  commit;
  p_status := analytics.etl_compute_day(p_date, p_run_days, p_today, p_jobs);
  commit;
end;
$$;
comment on procedure analytics.run_etl_day(date, date[], date, text, text[]) is
  'Computes one local day visibly (every job, or those p_jobs names): commits a running row per job, then computes the day and commits it whole. CALL it on its own (not inside a transaction block). p_status: succeeded | failed.';
revoke all on procedure analytics.run_etl_day(date, date[], date, text, text[]) from public, anon, authenticated;
grant execute on procedure analytics.run_etl_day(date, date[], date, text, text[]) to service_role;

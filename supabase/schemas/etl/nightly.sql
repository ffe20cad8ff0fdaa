-- The nightly run (docs/design.md §10.3): afterwards every day within raw retention equals a
-- computation from scratch, at a cost that follows what arrived, not what is stored. Also the
-- rebuild of a range and the hourly, DST-safe schedule entry point. Its state row:
-- ..._settings_rows.sql.

create table analytics.etl_nightly_state (
  singleton boolean primary key default true,
  last_today date,
  last_scheduled_today date,
  user_initiated_types text[],
  updated_at timestamptz not null default now(),
  constraint etl_nightly_state_singleton check (singleton)
);
comment on table analytics.etl_nightly_state is 'What the nightly run last did (one row).';
comment on column analytics.etl_nightly_state.singleton is 'Always true: the table holds one row.';
comment on column analytics.etl_nightly_state.last_today is 'The latest "today" a nightly run computed up to (its yesterday was computed).';
comment on column analytics.etl_nightly_state.last_scheduled_today is 'Local day of the last run started by the schedule (analytics.run_nightly_etl_if_due).';
comment on column analytics.etl_nightly_state.user_initiated_types is 'The catalog''s user-initiated types the last run used; a change makes the next run recompute raw retention.';
comment on column analytics.etl_nightly_state.updated_at is 'When a run last changed this row.';
alter table analytics.etl_nightly_state enable row level security;
revoke all on analytics.etl_nightly_state from public, anon, authenticated;
grant select, update on analytics.etl_nightly_state to service_role;

-- ETL runs visible while they run (no dblink: procedures that commit between steps, which hosted
-- Supabase and pg_cron allow when the procedure is CALLed on its own).
-- - A day is computed in two transactions: the first commits a `running` etl_job_runs row per job
--   (with the session's pid), the second does the day's work (run_daily_etl_pipeline, whose jobs
--   adopt those rows) and commits the day whole: readers never see half a day. A killed run leaves
--   running rows whose session is gone: stale in health, failed by analytics.fail_abandoned_etl_runs.
-- - The nightly run commits after its plan, after each day and at the end, recording its progress
--   in analytics.etl_nightly_runs (`ops status`). What it consumes (late-day marks, recompute
--   requests, rate refreshes) is deleted only at the end, so a killed run is redone by the next one.
-- - analytics.run_nightly_etl() and rebuild_metrics() keep working in one transaction (tests,
--   callers inside a transaction); the parts below are theirs, split so the procedure can commit.

-- ---- Progress of nightly runs --------------------------------------------------------------------

create table analytics.etl_nightly_runs (
  run_id bigint generated always as identity,
  local_today date not null,
  started_at timestamptz not null default now(),
  finished_at timestamptz,
  status text not null default 'running',
  backend_pid integer not null default pg_catalog.pg_backend_pid(),
  days date[] not null default '{}',
  days_done integer not null default 0,
  current_day date,
  failed_days date[] not null default '{}',
  error text,
  constraint etl_nightly_runs_pkey primary key (run_id),
  constraint etl_nightly_runs_status check (status in ('running', 'succeeded', 'failed'))
);
create index etl_nightly_runs_started_at_idx on analytics.etl_nightly_runs (started_at);
comment on index analytics.etl_nightly_runs_started_at_idx is 'Latest runs first; retention.';
comment on table analytics.etl_nightly_runs is
  'One row per nightly run started by analytics.run_nightly_etl_in_steps: its plan (days), progress and outcome. Kept 1 year.';
comment on column analytics.etl_nightly_runs.run_id is 'Identity.';
comment on column analytics.etl_nightly_runs.local_today is 'The local "today" the run computes up to (its yesterday included).';
comment on column analytics.etl_nightly_runs.started_at is 'When the run started.';
comment on column analytics.etl_nightly_runs.finished_at is 'When it ended; null while running.';
comment on column analytics.etl_nightly_runs.status is 'running | succeeded | failed (a day failed, or the session died: error says which).';
comment on column analytics.etl_nightly_runs.backend_pid is 'Process id of the session running it.';
comment on column analytics.etl_nightly_runs.days is 'The local days it computes in full, in order (empty until planned).';
comment on column analytics.etl_nightly_runs.days_done is 'How many of them are committed.';
comment on column analytics.etl_nightly_runs.current_day is 'The day being computed, or the last one done.';
comment on column analytics.etl_nightly_runs.failed_days is 'Days whose pipeline failed (asked again for the next run).';
comment on column analytics.etl_nightly_runs.error is 'Why the run failed.';
alter table analytics.etl_nightly_runs enable row level security;
revoke all on analytics.etl_nightly_runs from public, anon, authenticated;
grant select on analytics.etl_nightly_runs to service_role;

-- Days whose rates need a recount after the links changed (targets of analytics.recompute_*_links),
-- written with the links and deleted after the recount: a run killed in between leaves them to the
-- next run, which would otherwise not see those links change again.
create table analytics.etl_rate_refresh_days (
  job_name text not null,
  metric_date date not null,
  constraint etl_rate_refresh_days_pkey primary key (job_name, metric_date),
  constraint etl_rate_refresh_days_job check (job_name in ('payments', 'calls', 'engagement'))
);
comment on table analytics.etl_rate_refresh_days is
  'Computed days whose rates the next analytics.etl_process_finish recounts (analytics.refresh_share_rates), because links answering them changed.';
comment on column analytics.etl_rate_refresh_days.job_name is 'The job whose rates to recount: payments, calls or engagement.';
comment on column analytics.etl_rate_refresh_days.metric_date is 'The local day.';
alter table analytics.etl_rate_refresh_days enable row level security;
revoke all on analytics.etl_rate_refresh_days from public, anon, authenticated;
grant select on analytics.etl_rate_refresh_days to service_role;

create or replace function analytics.refresh_activity_counts(p_days date[])
returns bigint
language plpgsql
set search_path = ''
set plan_cache_mode = force_custom_plan
as $$
declare
  v_day date;
  v_rows bigint := 0;
  v_n bigint;
begin
  for v_day in select distinct d from unnest(p_days) as d where d is not null order by d desc loop
    perform pg_advisory_xact_lock(hashtext('analytics.etl:engagement'), v_day - date '2000-01-01');
    -- The newest recorded day (a nightly's new day): each user's last active day in
    -- user_first_seen is then their latest day of the 30, so one row per user is read, not every
    -- pair of the 30 days. The check and the counts share one snapshot: a run that records a later
    -- day writes its pairs and last days in one statement.
    update public.metrics_daily_engagement m
    set dau = u.dau, wau = u.wau, mau = u.mau
    from (
      select count(*) filter (where f.last_seen_date = v_day) as dau, count(*) filter (where f.last_seen_date > v_day - 7) as wau,
        count(*) as mau
      from analytics.user_first_seen f
      where f.last_seen_date > v_day - 30
    ) u
    where m.metric_date = v_day
      -- The newest pair by the key's first column: one index probe, whatever the statistics say.
      and coalesce((select max(a.activity_date) from analytics.user_daily_activity a), v_day) <= v_day;
    get diagnostics v_n = row_count;
    if v_n = 0 then
      -- An earlier day: each user of its 30 days once, with their latest active day among them (one
      -- hashed grouping, not three sorted distinct counts).
      update public.metrics_daily_engagement m
      set dau = u.dau, wau = u.wau, mau = u.mau
      from (
        select count(*) filter (where x.last_day = v_day) as dau, count(*) filter (where x.last_day > v_day - 7) as wau,
          count(*) as mau
        from (select a.user_id, max(a.activity_date) as last_day
              from analytics.user_daily_activity a
              where a.activity_date > v_day - 30 and a.activity_date <= v_day
              group by a.user_id) x
      ) u
      where m.metric_date = v_day;
      get diagnostics v_n = row_count;
    end if;
    v_rows := v_rows + v_n;
  end loop;
  return v_rows;
end;
$$;
comment on function analytics.refresh_activity_counts(date[]) is
  'Recomputes DAU/WAU/MAU of the given computed days: the newest recorded day from each user''s last active day (user_first_seen), an earlier one from the activity pairs of its 30 days. Returns the rows updated.';
revoke all on function analytics.refresh_activity_counts(date[]) from public, anon, authenticated;
grant execute on function analytics.refresh_activity_counts(date[]) to service_role;

-- Rewrites the rows of whole cohorts observed on computed days outside p_skip (the days a run
-- computes in full write their own rows).
create or replace function analytics.refresh_cohorts(p_cohorts date[], p_skip date[])
returns bigint
language plpgsql
set search_path = ''
set plan_cache_mode = force_custom_plan
set enable_nestloop = off
as $$
declare
  v_rows bigint;
begin
  if p_cohorts is null or cardinality(p_cohorts) = 0 then
    return 0;
  end if;
  delete from public.metrics_cohort_retention r
  where r.cohort_date = any(p_cohorts) and not (r.cohort_date + r.retention_day = any(p_skip));

  insert into public.metrics_cohort_retention (cohort_date, retention_day, cohort_size, retained_users, retention_rate)
  select c.cohort_date, o.metric_date - c.cohort_date, c.size, coalesce(r.retained, 0), coalesce(r.retained, 0)::double precision / c.size
  from (
    select f.first_seen_date as cohort_date, count(*) as size
    from analytics.user_first_seen f where f.first_seen_date = any(p_cohorts)
    group by f.first_seen_date
  ) c
  join analytics.etl_days o on o.metric_date >= c.cohort_date and o.metric_date <= c.cohort_date + 365
    and not (o.metric_date = any(p_skip))
  left join (
    select f.first_seen_date as cohort_date, a.activity_date, count(*) as retained
    from analytics.user_first_seen f
    join analytics.user_daily_activity a on a.user_id = f.user_id and a.activity_date >= f.first_seen_date
    where f.first_seen_date = any(p_cohorts)
      -- The days the cohorts' rows observe, as a range of the pairs' key (which starts with the day).
      and a.activity_date >= (select min(d) from unnest(p_cohorts) as d)
      and a.activity_date <= (select max(d) from unnest(p_cohorts) as d) + 365
    group by f.first_seen_date, a.activity_date
  ) r on r.cohort_date = c.cohort_date and r.activity_date = o.metric_date;
  get diagnostics v_rows = row_count;
  return v_rows;
end;
$$;
comment on function analytics.refresh_cohorts(date[], date[]) is
  'Rewrites every row of the given cohorts observed on computed days not in p_skip, from user_first_seen and user_daily_activity. Returns the rows written.';
revoke all on function analytics.refresh_cohorts(date[], date[]) from public, anon, authenticated;
grant execute on function analytics.refresh_cohorts(date[], date[]) to service_role;

-- Applies the recorded activity changes to the days outside the run, then deletes what it read.
create or replace function analytics.apply_activity_changes(p_skip date[])
returns jsonb
language plpgsql
set search_path = ''
set plan_cache_mode = force_custom_plan
as $$
declare
  v_ids bigint[];
  v_days date[];
  v_cohorts date[];
begin
  select coalesce(array_agg(c.change_id), '{}') into v_ids from analytics.etl_activity_changes c;
  if cardinality(v_ids) = 0 then
    return jsonb_build_object('changes', 0);
  end if;
  -- WAU/MAU of the 30 days starting at each changed day.
  select coalesce(array_agg(distinct d.metric_date), '{}') into v_days
  from analytics.etl_activity_changes c
  join analytics.etl_days d on d.metric_date >= c.activity_date and d.metric_date < c.activity_date + 30
  where c.change_id = any(v_ids) and not (d.metric_date = any(p_skip));
  -- Cohorts the user left or joined; and the user's cohort when the changed day's own row was not
  -- rewritten by the run.
  select coalesce(array_agg(distinct x.cohort), '{}') into v_cohorts
  from analytics.etl_activity_changes c
  left join analytics.user_first_seen f on f.user_id = c.user_id
  cross join lateral (values
    (case when c.old_first_seen is distinct from f.first_seen_date then c.old_first_seen end),
    (case when c.old_first_seen is distinct from f.first_seen_date or not (c.activity_date = any(p_skip))
          then f.first_seen_date end)) as x(cohort)
  where c.change_id = any(v_ids) and x.cohort is not null;

  perform analytics.refresh_activity_counts(v_days);
  perform analytics.refresh_cohorts(v_cohorts, p_skip);
  delete from analytics.etl_activity_changes c where c.change_id = any(v_ids);
  return jsonb_build_object('changes', cardinality(v_ids), 'activity_days', cardinality(v_days), 'cohorts', cardinality(v_cohorts));
end;
$$;
comment on function analytics.apply_activity_changes(date[]) is
  'Brings the WAU/MAU and cohort rows of computed days outside p_skip up to date with the recorded activity changes (analytics.etl_activity_changes), then deletes the changes it read.';
revoke all on function analytics.apply_activity_changes(date[]) from public, anon, authenticated;
grant execute on function analytics.apply_activity_changes(date[]) to service_role;

-- etl_process and run_nightly_etl in one transaction, made of the parts below.
create or replace function analytics.etl_process(p_full date[], p_new jsonb, p_today date, p_label text)
returns table (metric_date date, status text)
language plpgsql
set search_path = ''
as $$
declare
  v_prepared jsonb := analytics.etl_process_prepare(p_full, p_new, p_today, p_label);
  v_run date[] := array(select jsonb_array_elements_text(v_prepared -> 'run')::date);
  v_day date;
  v_i int := 0;
  v_t0 timestamptz;
begin
  foreach v_day in array v_run loop
    v_i := v_i + 1;
    v_t0 := clock_timestamp();
    metric_date := v_day;
    status := analytics.run_daily_etl_pipeline(v_day, analytics.etl_day_jobs(v_prepared, v_day));
    if status <> 'succeeded' then
      insert into analytics.etl_recompute_requests (metric_date, reason) values (v_day, 'failed');
    end if;
    -- A day that reruns only some jobs names them.
    raise notice '%: % (% of %) % in % s%', p_label, v_day, v_i, cardinality(v_run), status,
      round(extract(epoch from clock_timestamp() - v_t0)::numeric, 2),
      coalesce(' (' || array_to_string(analytics.etl_day_jobs(v_prepared, v_day), ', ') || ')', '');
    return next;
  end loop;
  perform analytics.etl_process_finish(v_prepared);
end;
$$;
comment on function analytics.etl_process(date[], jsonb, date, text) is
  'The work of a nightly run or a rebuild in one transaction: analytics.etl_process_prepare (links of the new events, p_new: {day: [ingested_at, ...]}), p_full in full and the days with new events (those computed before: the jobs that read the new events), oldest first (a notice per day: progress), analytics.etl_process_finish (what the new events change on other computed days).';
revoke all on function analytics.etl_process(date[], jsonb, date, text) from public, anon, authenticated;
grant execute on function analytics.etl_process(date[], jsonb, date, text) to service_role;

create or replace function analytics.run_nightly_etl(p_today date default null)
returns table (metric_date date, status text)
language plpgsql
set search_path = ''
as $$
declare
  v_plan jsonb := analytics.etl_nightly_plan(p_today);
begin
  return query select * from analytics.etl_process(
    array(select jsonb_array_elements_text(v_plan -> 'full')::date), v_plan -> 'new', (v_plan ->> 'today')::date, 'nightly');
  perform analytics.etl_nightly_complete(v_plan);
end;
$$;
comment on function analytics.run_nightly_etl(date) is
  'Nightly ETL (docs/design.md §10.3) in one transaction: computes local yesterday, the days since the last run, the requested days and every day that received events since the last run, then what those events change on other days (links, rates, WAU/MAU, cohorts, order and horoscope histories); afterwards every day within raw retention equals a computation from scratch. Consumes the marks and requests it read. p_today overrides local today (tests, catch-up runs). Returns each day computed in full with its status. The schedule runs the same work committing day by day (analytics.run_nightly_etl_in_steps).';
revoke all on function analytics.run_nightly_etl(date) from public, anon, authenticated;
grant execute on function analytics.run_nightly_etl(date) to service_role;

-- From scratch: every day of a range recomputed as if all its events were new (links of outcomes
-- in the range included), and what that changes on other days.
create or replace function analytics.rebuild_metrics(p_from date, p_to date, p_today date default null)
returns table (metric_date date, status text)
language plpgsql
set search_path = ''
as $$
declare
  v_today date := coalesce(p_today, (now() at time zone analytics.reporting_time_zone())::date);
  v_to date := least(p_to, v_today - 1);
  v_days date[];
  v_targets date[];
begin
  if p_from is null or p_to is null or p_from > p_to then
    raise exception 'rebuild_metrics: need from <= to' using errcode = '22023';
  end if;
  perform pg_advisory_xact_lock(hashtext('analytics.nightly'), 0);
  v_days := array(select g::date from generate_series(p_from, v_to, interval '1 day') as g);
  -- Links that answers inside the range made: recomputed by each day's jobs from its outcomes.
  with removed as (
    delete from analytics.etl_share_links l where l.source_day = any(v_days) returning l.target_day
  )
  select coalesce(array_agg(distinct r.target_day), '{}') into v_targets from removed r;
  with removed as (
    delete from analytics.etl_opt_out_links l where l.source_day = any(v_days) returning l.target_day
  )
  select v_targets || coalesce(array_agg(distinct r.target_day), '{}') into v_targets from removed r;

  return query select * from analytics.etl_process(v_days, null, v_today, 'rebuild');

  -- Days outside the range whose rates counted a removed link that no day re-created.
  perform analytics.refresh_share_rates(j, array(select d from unnest(v_targets) as d where not (d = any(v_days))))
  from unnest(array['payments', 'calls', 'engagement']) as j;
end;
$$;
comment on function analytics.rebuild_metrics(date, date, date) is
  'Recomputes every day of [p_from, p_to] (up to local yesterday) from scratch, oldest first, with everything those days change on other days; raises a notice per day (progress). Returns each day with its status.';
revoke all on function analytics.rebuild_metrics(date, date, date) from public, anon, authenticated;
grant execute on function analytics.rebuild_metrics(date, date, date) to service_role;

create or replace function analytics.run_nightly_etl_if_due(p_now timestamptz default now())
returns text
language plpgsql
set search_path = ''
as $$
declare
  v_local timestamp := p_now at time zone analytics.reporting_time_zone();
  v_due text := analytics.nightly_run_due(p_now);
begin
  if v_due <> 'due' then
    return v_due;
  end if;
  if not pg_try_advisory_xact_lock(hashtext('analytics.nightly'), 0) then
    return 'running';
  end if;
  perform 1 from analytics.run_nightly_etl(v_local::date);
  update analytics.etl_nightly_state set last_scheduled_today = v_local::date;
  return 'ran';
end;
$$;
comment on function analytics.run_nightly_etl_if_due(timestamptz) is
  'The schedule check in one transaction (tests): runs analytics.run_nightly_etl() when analytics.nightly_run_due(p_now) says due. Returns ran | not yet | done today | running. pg_cron calls analytics.run_scheduled_nightly_etl().';
revoke all on function analytics.run_nightly_etl_if_due(timestamptz) from public, anon, authenticated;
grant execute on function analytics.run_nightly_etl_if_due(timestamptz) to service_role;

-- ---- The nightly run, in parts -------------------------------------------------------------------

-- Part 1 of run_nightly_etl: what the run reads and computes in full.
create or replace function analytics.etl_nightly_plan(p_today date default null)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  v_zone text := analytics.reporting_time_zone();
  v_today date := coalesce(p_today, (now() at time zone v_zone)::date);
  v_first date := analytics.raw_retention_first_day(v_zone);
  v_state analytics.etl_nightly_state;
  v_initiated text[] := analytics.user_initiated_event_types();
  v_marks bigint[];
  v_requests bigint[];
  v_full date[];
  v_new jsonb;
begin
  -- One run at a time; a second waits and then finds the work done.
  perform pg_advisory_xact_lock(hashtext('analytics.nightly'), 0);
  select * into v_state from analytics.etl_nightly_state for update;
  if v_state.user_initiated_types is distinct from v_initiated then
    insert into analytics.etl_recompute_requests (metric_date, reason)
    select d::date, 'catalog' from generate_series(v_first, v_today - 1, interval '1 day') as d;
  end if;

  select coalesce(array_agg(m.mark_id), '{}') into v_marks
  from analytics.etl_late_day_marks m where m.metric_date < v_today;
  select coalesce(array_agg(r.request_id), '{}') into v_requests
  from analytics.etl_recompute_requests r where r.metric_date < v_today;

  -- In full: yesterday, any day since the last run's, and the requested days (within raw retention).
  select coalesce(array_agg(distinct d.day order by d.day), '{}') into v_full
  from (
    select v_today - 1 as day
    union all
    select g::date from generate_series(greatest(v_state.last_today, v_first), v_today - 1, interval '1 day') as g
    where v_state.last_today is not null
    union all
    select r.metric_date from analytics.etl_recompute_requests r where r.request_id = any(v_requests)
  ) d
  where d.day >= v_first and d.day < v_today;

  select jsonb_object_agg(x.day, x.ingested) into v_new
  from (
    select m.metric_date::text as day, jsonb_agg(distinct m.marked_at) as ingested
    from analytics.etl_late_day_marks m
    where m.mark_id = any(v_marks) and m.metric_date >= v_first and not (m.metric_date = any(v_full))
    group by m.metric_date
  ) x;

  return jsonb_build_object('today', v_today, 'marks', to_jsonb(v_marks), 'requests', to_jsonb(v_requests),
    'full', to_jsonb(v_full), 'new', coalesce(v_new, '{}'), 'initiated', to_jsonb(v_initiated));
end;
$$;
comment on function analytics.etl_nightly_plan(date) is
  'The plan of a nightly run (part of analytics.run_nightly_etl): local today, the late-day marks and recompute requests it consumes, the days it computes in full and the new events of other days ({day: [ingested_at, ...]}).';
revoke all on function analytics.etl_nightly_plan(date) from public, anon, authenticated;
grant execute on function analytics.etl_nightly_plan(date) to service_role;

-- Last part of run_nightly_etl: consume what the plan read, remember the run.
create or replace function analytics.etl_nightly_complete(p_plan jsonb)
returns void
language sql
set search_path = ''
as $$
  delete from analytics.etl_late_day_marks m
  where m.mark_id in (select jsonb_array_elements_text(p_plan -> 'marks')::bigint);
  delete from analytics.etl_recompute_requests r
  where r.request_id in (select jsonb_array_elements_text(p_plan -> 'requests')::bigint);
  update analytics.etl_nightly_state
  set last_today = greatest(last_today, (p_plan ->> 'today')::date),
    user_initiated_types = array(select jsonb_array_elements_text(p_plan -> 'initiated')), updated_at = now();
$$;
comment on function analytics.etl_nightly_complete(jsonb) is
  'Ends a nightly run (part of analytics.run_nightly_etl): deletes the marks and requests its plan read and records its today and catalog in etl_nightly_state.';
revoke all on function analytics.etl_nightly_complete(jsonb) from public, anon, authenticated;
grant execute on function analytics.etl_nightly_complete(jsonb) to service_role;

-- Part 1 of etl_process: the days to compute in full, the links of the new events
-- (their rate targets recorded in etl_rate_refresh_days), and the other days the events change.
create or replace function analytics.etl_process_prepare(p_full date[], p_new jsonb, p_today date, p_label text)
returns jsonb
language plpgsql
set search_path = ''
set plan_cache_mode = force_custom_plan
as $$
declare
  v_zone text := analytics.reporting_time_zone();
  v_horizon timestamptz := p_today::timestamp at time zone v_zone;
  v_marked date[];
  v_run date[];
  v_pay text[] := '{}'::text[];
  v_calls text[] := '{}'::text[];
  v_notes text[] := '{}'::text[];
  v_users uuid[] := '{}'::uuid[];
  v_ingested timestamptz[];
  v_first_at timestamptz;
  v_last_at timestamptz;
  v_since_ids text[] := '{}'::text[];
  v_since_at timestamptz[] := '{}'::timestamptz[];
  v_orders jsonb;
  v_content jsonb;
  v_fulfillment date[];
  v_content_days date[];
  v_day date;
  v_initiated text[] := analytics.user_initiated_event_types();
  v_jobs text[];
  v_scope jsonb := '{}'::jsonb;
  v_phase timestamptz := clock_timestamp();
begin
  perform set_config('analytics.etl_today', p_today::text, true);
  select coalesce(array_agg(distinct (x.key)::date order by (x.key)::date), '{}') into v_marked
  from jsonb_each(coalesce(p_new, '{}')) as x where not ((x.key)::date = any(p_full));

  -- The new events of the marked days, by the ingested_at values their marks carry: the pages of
  -- the day (BRIN on event_timestamp) that also hold rows stored between the first and the last of
  -- those times (BRIN on ingested_at, etl/pipeline.sql), not the whole day. A day computed before
  -- in this zone reruns only the jobs that read its new events (analytics.etl_jobs_reading: its
  -- scope); another, every job.
  for v_day, v_ingested in
    select (x.key)::date, array(select jsonb_array_elements_text(x.value)::timestamptz)
    from jsonb_each(coalesce(p_new, '{}')) as x where (x.key)::date = any(v_marked)
  loop
    select min(t), max(t) into v_first_at, v_last_at from unnest(v_ingested) as t;
    with new_events as materialized (
      select e.event_domain, e.event_type, e.event_timestamp, e.entity_id, e.user_id
      from public.events_raw e
      where e.event_timestamp >= v_day::timestamp at time zone v_zone and e.event_timestamp < (v_day + 1)::timestamp at time zone v_zone
        and e.ingested_at = any(v_ingested) and e.ingested_at >= v_first_at and e.ingested_at <= v_last_at
    )
    select array_cat(v_pay, array_agg(distinct e.entity_id) filter (where e.event_domain = 'payments' and e.entity_id is not null)),
      array_cat(v_calls, array_agg(distinct e.entity_id) filter (where e.event_domain = 'calls' and e.entity_id is not null)),
      array_cat(v_notes, array_agg(distinct e.entity_id) filter (where e.event_domain = 'notifications' and e.entity_id is not null)),
      array_cat(v_users, array_agg(distinct e.user_id) filter (
        where e.event_type in ('notification_sent', 'notification_opted_out') and e.user_id is not null)),
      -- Later days of an order depend on all its events; those of a horoscope only on its uploads
      -- (approval latency), not on its listens and views.
      array_cat(v_since_ids, array_agg(e.event_domain || ':' || e.entity_id) filter (
        where (e.event_domain = 'orders' or e.event_type = 'horoscope_uploaded') and e.entity_id is not null)),
      array_cat(v_since_at, array_agg(e.event_timestamp) filter (
        where (e.event_domain = 'orders' or e.event_type = 'horoscope_uploaded') and e.entity_id is not null)),
      (select coalesce(array_agg(x.j order by array_position(analytics.etl_job_names(), x.j)), '{}')
       from (select distinct j
             from new_events n, unnest(analytics.etl_jobs_reading(n.event_domain, n.event_type,
                                         n.user_id is not null and n.event_type = any(v_initiated))) as j) x)
    into v_pay, v_calls, v_notes, v_users, v_since_ids, v_since_at, v_jobs
    from new_events e;
    if exists (select 1 from analytics.etl_days c where c.metric_date = v_day and c.time_zone = v_zone) then
      v_scope := v_scope || jsonb_build_object(v_day, to_jsonb(v_jobs));
    end if;
  end loop;
  -- The run's days: those computed in full and the marked days with a job to rerun. Its activity
  -- days (analytics.etl_run_days) are those whose engagement job it runs.
  select coalesce(array_agg(distinct d order by d), '{}') into v_run
  from unnest(p_full || v_marked) as d
  where not (v_scope ? d::text) or jsonb_array_length(v_scope -> d::text) > 0;
  perform set_config('analytics.etl_run_days',
    analytics.etl_days_running(jsonb_build_object('run', to_jsonb(v_run), 'scope', v_scope), 'engagement')::text, true);
  select jsonb_object_agg(x.id, x.since) filter (where x.id like 'orders:%'),
    jsonb_object_agg(x.id, x.since) filter (where x.id like 'content:%')
  into v_orders, v_content
  from (select u.id, min(u.at) as since from unnest(v_since_ids, v_since_at) as u(id, at) group by u.id) x;
  if cardinality(v_marked) > 0 then
    raise notice '%: new events of % day(s) read in % s', p_label, cardinality(v_marked),
      round(extract(epoch from clock_timestamp() - v_phase)::numeric, 2);
  end if;
  v_phase := clock_timestamp();

  -- Links first: the days computed in full read them. The days whose rates they change are kept
  -- with them (etl_rate_refresh_days), for etl_process_finish.
  insert into analytics.etl_rate_refresh_days (job_name, metric_date)
  select 'payments', d from analytics.recompute_share_links('payments', v_pay, v_horizon) as d
  union select 'calls', d from analytics.recompute_share_links('calls', v_calls, v_horizon) as d
  union select 'engagement', d from analytics.recompute_share_links('notifications', v_notes, v_horizon) as d
  union select 'engagement', d from analytics.recompute_opt_out_links(v_users, v_horizon) as d
  on conflict do nothing;
  -- Later events of orders and horoscopes that received earlier events (attribution, time-to-X,
  -- rejection history, approval latency), on computed days.
  select coalesce(array_agg(distinct (e.event_timestamp at time zone v_zone)::date), '{}') into v_fulfillment
  from jsonb_each_text(coalesce(v_orders, '{}')) as o
  join public.events_raw e on e.event_domain = 'orders' and e.entity_id = substr(o.key, 8)
    and e.event_timestamp >= (o.value)::timestamptz and e.event_timestamp < v_horizon;
  select coalesce(array_agg(distinct (e.event_timestamp at time zone v_zone)::date), '{}') into v_content_days
  from jsonb_each_text(coalesce(v_content, '{}')) as o
  join public.events_raw e on e.event_domain = 'content' and e.entity_id = substr(o.key, 9) and e.event_type = 'horoscope_approved'
    and e.event_timestamp >= (o.value)::timestamptz and e.event_timestamp < v_horizon;

  if cardinality(v_marked) > 0 then
    raise notice '%: links and later order/horoscope days of the new events in % s', p_label,
      round(extract(epoch from clock_timestamp() - v_phase)::numeric, 2);
  end if;
  return jsonb_build_object('today', p_today, 'label', p_label, 'run', to_jsonb(v_run), 'scope', v_scope,
    'fulfillment', to_jsonb(v_fulfillment), 'content', to_jsonb(v_content_days));
end;
$$;
comment on function analytics.etl_process_prepare(date[], jsonb, date, text) is
  'Part 1 of analytics.etl_process: recomputes the links of the new events (recording the days whose rates to recount in etl_rate_refresh_days) and returns {today, label, run: days to compute, scope: {day: jobs} for marked days computed before that rerun only the jobs reading their new events, fulfillment and content: other days the new events change}.';
revoke all on function analytics.etl_process_prepare(date[], jsonb, date, text) from public, anon, authenticated;
grant execute on function analytics.etl_process_prepare(date[], jsonb, date, text) to service_role;

-- A run's scope (etl_process_prepare's answer): the jobs it runs on a day, and the days it runs a job on.
create or replace function analytics.etl_day_jobs(p_prepared jsonb, p_day date)
returns text[]
language sql
immutable
set search_path = ''
as $$
  select case when p_prepared -> 'scope' ? p_day::text
    then array(select jsonb_array_elements_text(p_prepared -> 'scope' -> p_day::text)) end
$$;
comment on function analytics.etl_day_jobs(jsonb, date) is
  'The jobs a prepared run (analytics.etl_process_prepare) reruns on a day it computes; null for every job.';
revoke all on function analytics.etl_day_jobs(jsonb, date) from public, anon, authenticated;
grant execute on function analytics.etl_day_jobs(jsonb, date) to service_role;

create or replace function analytics.etl_days_running(p_prepared jsonb, p_job text)
returns date[]
language sql
immutable
set search_path = ''
as $$
  select coalesce(array_agg(d.day order by d.day), '{}')
  from (select jsonb_array_elements_text(p_prepared -> 'run')::date as day) d
  where p_job = any(coalesce(analytics.etl_day_jobs(p_prepared, d.day), analytics.etl_job_names()))
$$;
comment on function analytics.etl_days_running(jsonb, text) is
  'The days on which a prepared run (analytics.etl_process_prepare) runs a job.';
revoke all on function analytics.etl_days_running(jsonb, text) from public, anon, authenticated;
grant execute on function analytics.etl_days_running(jsonb, text) to service_role;

-- Last part of etl_process: the other days the new events change, after the run's days.
create or replace function analytics.etl_process_finish(p_prepared jsonb)
returns void
language plpgsql
set search_path = ''
as $$
declare
  v_label text := p_prepared ->> 'label';
  v_activity date[] := analytics.etl_days_running(p_prepared, 'engagement');
  v_ran_payments date[] := analytics.etl_days_running(p_prepared, 'payments');
  v_ran_calls date[] := analytics.etl_days_running(p_prepared, 'calls');
  v_ran_fulfillment date[] := analytics.etl_days_running(p_prepared, 'fulfillment');
  v_ran_content date[] := analytics.etl_days_running(p_prepared, 'content');
  v_fulfillment date[] := array(select jsonb_array_elements_text(p_prepared -> 'fulfillment')::date);
  v_content_days date[] := array(select jsonb_array_elements_text(p_prepared -> 'content')::date);
  v_targets_pay date[];
  v_targets_calls date[];
  v_targets_eng date[];
  v_phase timestamptz := clock_timestamp();
  v_applied jsonb;
begin
  perform set_config('analytics.etl_today', p_prepared ->> 'today', true);
  perform set_config('analytics.etl_run_days', v_activity::text, true);
  -- The rates to recount: this run's links and any a killed run left; the days on which the run
  -- ran the job were computed after the links.
  with taken as (delete from analytics.etl_rate_refresh_days returning job_name, metric_date)
  select coalesce(array_agg(t.metric_date) filter (where t.job_name = 'payments' and not (t.metric_date = any(v_ran_payments))), '{}'),
    coalesce(array_agg(t.metric_date) filter (where t.job_name = 'calls' and not (t.metric_date = any(v_ran_calls))), '{}'),
    coalesce(array_agg(t.metric_date) filter (where t.job_name = 'engagement' and not (t.metric_date = any(v_activity))), '{}')
  into v_targets_pay, v_targets_calls, v_targets_eng
  from taken t;

  perform analytics.compute_daily_fulfillment_metrics(d) from unnest(v_fulfillment) as d
  where not (d = any(v_ran_fulfillment)) and exists (select 1 from analytics.etl_days c where c.metric_date = d);
  perform analytics.compute_daily_content_metrics(d) from unnest(v_content_days) as d
  where not (d = any(v_ran_content)) and exists (select 1 from analytics.etl_days c where c.metric_date = d);
  perform analytics.refresh_share_rates('payments', v_targets_pay);
  perform analytics.refresh_share_rates('calls', v_targets_calls);
  perform analytics.refresh_share_rates('engagement', v_targets_eng);
  raise notice '%: % other day(s) of orders/horoscopes and rates of % day(s) in % s', v_label,
    cardinality(v_fulfillment) + cardinality(v_content_days),
    cardinality(v_targets_pay) + cardinality(v_targets_calls) + cardinality(v_targets_eng),
    round(extract(epoch from clock_timestamp() - v_phase)::numeric, 2);
  v_phase := clock_timestamp();
  v_applied := analytics.apply_activity_changes(v_activity);
  raise notice '%: activity changes % applied in % s', v_label, v_applied,
    round(extract(epoch from clock_timestamp() - v_phase)::numeric, 2);
end;
$$;
comment on function analytics.etl_process_finish(jsonb) is
  'Last part of analytics.etl_process: recomputes the fulfillment and content of other computed days the new events change, recounts the rates in etl_rate_refresh_days and applies the activity changes (WAU/MAU, cohorts) to days outside the run.';
revoke all on function analytics.etl_process_finish(jsonb) from public, anon, authenticated;
grant execute on function analytics.etl_process_finish(jsonb) to service_role;

-- Progress of the stepped run (each call commits with the step it reports).
create or replace function analytics.etl_nightly_progress(p_run_id bigint, p_day date, p_status text)
returns void
language sql
set search_path = ''
as $$
  update analytics.etl_nightly_runs
  set days_done = days_done + 1, current_day = p_day,
    failed_days = case when p_status = 'succeeded' then failed_days else failed_days || p_day end
  where run_id = p_run_id;
  insert into analytics.etl_recompute_requests (metric_date, reason)
  select p_day, 'failed' where p_status <> 'succeeded';
$$;
comment on function analytics.etl_nightly_progress(bigint, date, text) is
  'Records a day of a stepped nightly run as done (a failed day is asked again for the next run).';
revoke all on function analytics.etl_nightly_progress(bigint, date, text) from public, anon, authenticated;
grant execute on function analytics.etl_nightly_progress(bigint, date, text) to service_role;

-- The nightly run, visible: commits after its plan and links, after each day (two transactions per
-- day, analytics.run_etl_day) and at the end. The session lock keeps other runs (and the one-
-- transaction functions, which take the same key) waiting; it ends with the session if killed.
create or replace procedure analytics.run_nightly_etl_in_steps(p_today date default null)
language plpgsql
as $$
declare
  v_run_id bigint;
  v_plan jsonb;
  v_prepared jsonb;
  v_run date[];
  v_activity date[];
  v_day date;
  v_status text;
  v_i integer := 0;
  v_t0 timestamptz;
begin
  perform pg_catalog.pg_advisory_lock(pg_catalog.hashtext('analytics.nightly'), 0);
  insert into analytics.etl_nightly_runs (local_today)
  values (coalesce(p_today, analytics.reporting_today()))
  returning run_id into v_run_id;
  commit;

  v_plan := analytics.etl_nightly_plan(p_today);
  v_prepared := analytics.etl_process_prepare(
    array(select jsonb_array_elements_text(v_plan -> 'full')::date), v_plan -> 'new', (v_plan ->> 'today')::date, 'nightly');
  v_run := array(select jsonb_array_elements_text(v_prepared -> 'run')::date);
  v_activity := analytics.etl_days_running(v_prepared, 'engagement');
  update analytics.etl_nightly_runs set days = v_run, local_today = (v_plan ->> 'today')::date where run_id = v_run_id;
  commit;

  foreach v_day in array v_run loop
    v_i := v_i + 1;
    v_t0 := pg_catalog.clock_timestamp();
    update analytics.etl_nightly_runs set current_day = v_day where run_id = v_run_id;
    call analytics.run_etl_day(v_day, v_activity, (v_plan ->> 'today')::date, v_status, analytics.etl_day_jobs(v_prepared, v_day));
    perform analytics.etl_nightly_progress(v_run_id, v_day, v_status);
    commit;
    raise notice 'nightly: % (% of %) % in % s%', v_day, v_i, pg_catalog.cardinality(v_run), v_status,
      pg_catalog.round(extract(epoch from pg_catalog.clock_timestamp() - v_t0)::numeric, 2),
      coalesce(' (' || pg_catalog.array_to_string(analytics.etl_day_jobs(v_prepared, v_day), ', ') || ')', '');
  end loop;

  perform analytics.etl_process_finish(v_prepared);
  perform analytics.etl_nightly_complete(v_plan);
  update analytics.etl_nightly_runs r
  set status = case when pg_catalog.cardinality(r.failed_days) = 0 then 'succeeded' else 'failed' end,
    error = case when pg_catalog.cardinality(r.failed_days) > 0 then 'days failed: ' || pg_catalog.array_to_string(r.failed_days, ', ') end,
    finished_at = pg_catalog.now()
  where r.run_id = v_run_id;
  commit;
  perform pg_catalog.pg_advisory_unlock(pg_catalog.hashtext('analytics.nightly'), 0);
end;
$$;
comment on procedure analytics.run_nightly_etl_in_steps(date) is
  'The nightly ETL of analytics.run_nightly_etl, committing as it goes: its running rows and progress (analytics.etl_nightly_runs) are visible from other sessions, and a killed run is redone by the next one. CALL it on its own (not inside a transaction block).';
revoke all on procedure analytics.run_nightly_etl_in_steps(date) from public, anon, authenticated;
grant execute on procedure analytics.run_nightly_etl_in_steps(date) to service_role;

-- The schedule (hourly, once per local day at the first call at or after the
-- nightly run time, DST-safe): one decision for the one-transaction check and for the procedure
-- pg_cron calls, which runs the visible nightly.
create or replace function analytics.nightly_run_due(p_now timestamptz default now())
returns text
language sql
stable
set search_path = ''
as $$
  select case
    when (p_now at time zone analytics.reporting_time_zone())::time
         < coalesce((select o.nightly_run_at from analytics.ops_settings o), time '02:00') then 'not yet'
    when exists (select 1 from analytics.etl_nightly_state s
                 where s.last_scheduled_today >= (p_now at time zone analytics.reporting_time_zone())::date) then 'done today'
    else 'due'
  end
$$;
comment on function analytics.nightly_run_due(timestamptz) is
  'Whether the scheduled nightly run is due at p_now: not yet (before ops_settings.nightly_run_at, default 02:00 local), done today, or due.';
revoke all on function analytics.nightly_run_due(timestamptz) from public, anon, authenticated;
grant execute on function analytics.nightly_run_due(timestamptz) to service_role;

create or replace procedure analytics.run_scheduled_nightly_etl()
language plpgsql
as $$
declare
  v_today date := analytics.reporting_today();
begin
  if analytics.nightly_run_due(pg_catalog.now()) <> 'due' then
    return;
  end if;
  if not pg_catalog.pg_try_advisory_lock(pg_catalog.hashtext('analytics.nightly'), 0) then
    return;
  end if;
  call analytics.run_nightly_etl_in_steps(v_today);
  update analytics.etl_nightly_state set last_scheduled_today = v_today;
  commit;
  perform pg_catalog.pg_advisory_unlock(pg_catalog.hashtext('analytics.nightly'), 0);
end;
$$;
comment on procedure analytics.run_scheduled_nightly_etl() is
  'pg_cron, hourly: runs analytics.run_nightly_etl_in_steps() when analytics.nightly_run_due() says due (once per local day, at the first call at or after the nightly run time); does nothing while another run holds the nightly lock.';
revoke all on procedure analytics.run_scheduled_nightly_etl() from public, anon, authenticated;
grant execute on procedure analytics.run_scheduled_nightly_etl() to service_role;

-- Finished and failed rows are always written: a job or nightly run whose session died is recorded
-- as failed by the health alerts job (every 5 minutes) or `ops alerts deliver`.
create or replace function analytics.fail_abandoned_etl_runs()
returns integer
language plpgsql
set search_path = ''
as $$
declare
  v_jobs integer;
begin
  update public.etl_job_runs r
  set status = 'failed', finished_at = now(), rows_written = 0,
    error = format('abandoned: its session (pid %s) ended before the job finished (killed, crashed or restarted)', r.backend_pid)
  from analytics.etl_running_jobs() j
  where r.id = j.id and not j.session_alive and r.status = 'running';
  get diagnostics v_jobs = row_count;
  update analytics.etl_nightly_runs n
  set status = 'failed', finished_at = now(),
    error = format('abandoned after %s of %s days: its session (pid %s) ended (killed, crashed or restarted)',
      n.days_done, cardinality(n.days), n.backend_pid)
  where n.status = 'running' and not analytics.session_alive(n.backend_pid, n.started_at);
  return v_jobs;
end;
$$;
comment on function analytics.fail_abandoned_etl_runs() is
  'Marks running etl_job_runs rows and nightly runs whose session is gone as failed (error "abandoned: ..."). Returns how many job rows.';
revoke all on function analytics.fail_abandoned_etl_runs() from public, anon, authenticated;
grant execute on function analytics.fail_abandoned_etl_runs() to service_role;

-- The nightly run (docs/design.md §10.3): afterwards every day within raw retention equals a
-- computation from scratch, at a cost that follows what arrived, not what is stored. Also the
-- rebuild of a range and the hourly, DST-safe schedule entry point. Its state row:
-- ..._etl_state_rows.sql.

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

create or replace function analytics.refresh_activity_counts(p_days date[])
returns bigint
language plpgsql
set search_path = ''
as $$
declare
  v_day date;
  v_rows bigint := 0;
  v_n bigint;
begin
  for v_day in select distinct d from unnest(p_days) as d where d is not null order by d desc loop
    perform pg_advisory_xact_lock(hashtext('analytics.etl:engagement'), v_day - date '2000-01-01');
    update public.metrics_daily_engagement m
    set dau = u.dau, wau = u.wau, mau = u.mau
    from (
      select count(distinct a.user_id) filter (where a.activity_date = v_day) as dau,
        count(distinct a.user_id) filter (where a.activity_date > v_day - 7) as wau,
        count(distinct a.user_id) as mau
      from analytics.user_daily_activity a
      where a.activity_date > v_day - 30 and a.activity_date <= v_day
    ) u
    where m.metric_date = v_day;
    get diagnostics v_n = row_count;
    v_rows := v_rows + v_n;
  end loop;
  return v_rows;
end;
$$;
comment on function analytics.refresh_activity_counts(date[]) is
  'Recomputes DAU/WAU/MAU of the given computed days from the activity table (after activity of earlier days changed). Returns the rows updated.';
revoke all on function analytics.refresh_activity_counts(date[]) from public, anon, authenticated;
grant execute on function analytics.refresh_activity_counts(date[]) to service_role;

-- Rewrites the rows of whole cohorts observed on computed days outside p_skip (the days a run
-- computes in full write their own rows).
create or replace function analytics.refresh_cohorts(p_cohorts date[], p_skip date[])
returns bigint
language plpgsql
set search_path = ''
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

-- Computes the given days in full, oldest first, after bringing the links of the new events up to
-- date, then the rates, activity windows, cohorts, orders and horoscopes of the other days they
-- change. p_new: the (day, ingested_at) of events that are new on days not computed in full.
create or replace function analytics.etl_process(p_full date[], p_new jsonb, p_today date, p_label text)
returns table (metric_date date, status text)
language plpgsql
set search_path = ''
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
  v_since_ids text[] := '{}'::text[];
  v_since_at timestamptz[] := '{}'::timestamptz[];
  v_orders jsonb;
  v_content jsonb;
  v_targets_pay date[];
  v_targets_calls date[];
  v_targets_eng date[];
  v_fulfillment date[];
  v_content_days date[];
  v_day date;
  v_i int := 0;
  v_t0 timestamptz;
  v_phase timestamptz := clock_timestamp();
  v_applied jsonb;
begin
  perform set_config('analytics.etl_today', p_today::text, true);
  select coalesce(array_agg(distinct (x.key)::date order by (x.key)::date), '{}') into v_marked
  from jsonb_each(coalesce(p_new, '{}')) as x where not ((x.key)::date = any(p_full));
  select coalesce(array_agg(distinct d order by d), '{}') into v_run from unnest(p_full || v_marked) as d;
  perform set_config('analytics.etl_run_days', v_run::text, true);

  -- The new events of the marked days: one scan of each such day (its BRIN ranges, as a day's jobs
  -- read it), filtered by the ingested_at values its marks carry.
  for v_day, v_ingested in
    select (x.key)::date, array(select jsonb_array_elements_text(x.value)::timestamptz)
    from jsonb_each(coalesce(p_new, '{}')) as x where (x.key)::date = any(v_marked)
  loop
    select array_cat(v_pay, array_agg(distinct e.entity_id) filter (where e.event_domain = 'payments' and e.entity_id is not null)),
      array_cat(v_calls, array_agg(distinct e.entity_id) filter (where e.event_domain = 'calls' and e.entity_id is not null)),
      array_cat(v_notes, array_agg(distinct e.entity_id) filter (where e.event_domain = 'notifications' and e.entity_id is not null)),
      array_cat(v_users, array_agg(distinct e.user_id) filter (
        where e.event_type in ('notification_sent', 'notification_opted_out') and e.user_id is not null)),
      array_cat(v_since_ids, array_agg(e.event_domain || ':' || e.entity_id) filter (
        where e.event_domain in ('orders', 'content') and e.entity_id is not null)),
      array_cat(v_since_at, array_agg(e.event_timestamp) filter (
        where e.event_domain in ('orders', 'content') and e.entity_id is not null))
    into v_pay, v_calls, v_notes, v_users, v_since_ids, v_since_at
    from public.events_raw e
    where e.event_timestamp >= v_day::timestamp at time zone v_zone and e.event_timestamp < (v_day + 1)::timestamp at time zone v_zone
      and e.ingested_at = any(v_ingested);
  end loop;
  select jsonb_object_agg(x.id, x.since) filter (where x.id like 'orders:%'),
    jsonb_object_agg(x.id, x.since) filter (where x.id like 'content:%')
  into v_orders, v_content
  from (select u.id, min(u.at) as since from unnest(v_since_ids, v_since_at) as u(id, at) group by u.id) x;
  if cardinality(v_marked) > 0 then
    raise notice '%: new events of % day(s) read in % s', p_label, cardinality(v_marked),
      round(extract(epoch from clock_timestamp() - v_phase)::numeric, 2);
  end if;
  v_phase := clock_timestamp();

  -- Links first: the days computed in full read them.
  v_targets_pay := array(select analytics.recompute_share_links('payments', v_pay, v_horizon));
  v_targets_calls := array(select analytics.recompute_share_links('calls', v_calls, v_horizon));
  v_targets_eng := array(select analytics.recompute_share_links('notifications', v_notes, v_horizon)
                         union select analytics.recompute_opt_out_links(v_users, v_horizon));
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

  foreach v_day in array v_run loop
    v_i := v_i + 1;
    v_t0 := clock_timestamp();
    metric_date := v_day;
    status := analytics.run_daily_etl_pipeline(v_day);
    if status <> 'succeeded' then
      insert into analytics.etl_recompute_requests (metric_date, reason) values (v_day, 'failed');
    end if;
    raise notice '%: % (% of %) % in % s', p_label, v_day, v_i, cardinality(v_run), status,
      round(extract(epoch from clock_timestamp() - v_t0)::numeric, 2);
    return next;
  end loop;

  -- The other days the new events change.
  v_phase := clock_timestamp();
  perform analytics.compute_daily_fulfillment_metrics(d) from unnest(v_fulfillment) as d
  where not (d = any(v_run)) and exists (select 1 from analytics.etl_days c where c.metric_date = d);
  perform analytics.compute_daily_content_metrics(d) from unnest(v_content_days) as d
  where not (d = any(v_run)) and exists (select 1 from analytics.etl_days c where c.metric_date = d);
  perform analytics.refresh_share_rates('payments', array(select d from unnest(v_targets_pay) as d where not (d = any(v_run))));
  perform analytics.refresh_share_rates('calls', array(select d from unnest(v_targets_calls) as d where not (d = any(v_run))));
  perform analytics.refresh_share_rates('engagement', array(select d from unnest(v_targets_eng) as d where not (d = any(v_run))));
  raise notice '%: % other day(s) of orders/horoscopes and rates of % day(s) in % s', p_label,
    cardinality(v_fulfillment) + cardinality(v_content_days),
    cardinality(v_targets_pay) + cardinality(v_targets_calls) + cardinality(v_targets_eng),
    round(extract(epoch from clock_timestamp() - v_phase)::numeric, 2);
  v_phase := clock_timestamp();
  v_applied := analytics.apply_activity_changes(v_run);
  raise notice '%: activity changes % applied in % s', p_label, v_applied,
    round(extract(epoch from clock_timestamp() - v_phase)::numeric, 2);
end;
$$;
comment on function analytics.etl_process(date[], jsonb, date, text) is
  'The work of a nightly run or a rebuild: recomputes the links of the new events (p_new: {day: [ingested_at, ...]}), computes p_full and the days with new events in full, oldest first, then the fulfillment, content, rates, WAU/MAU and cohort rows of other computed days those events change. Raises a notice per day (progress).';
revoke all on function analytics.etl_process(date[], jsonb, date, text) from public, anon, authenticated;
grant execute on function analytics.etl_process(date[], jsonb, date, text) to service_role;

-- The nightly entry point: local yesterday, the days since the last run, the days asked for again
-- (time zone or catalog change, a failed day), and every day that received events since the last
-- run with what those events change on other days. One transaction; marks and requests added while
-- it runs are left for the next run, and ingestion never waits for it.
create or replace function analytics.run_nightly_etl(p_today date default null)
returns table (metric_date date, status text)
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

  return query select * from analytics.etl_process(v_full, v_new, v_today, 'nightly');

  delete from analytics.etl_late_day_marks m where m.mark_id = any(v_marks);
  delete from analytics.etl_recompute_requests r where r.request_id = any(v_requests);
  update analytics.etl_nightly_state
  set last_today = greatest(last_today, v_today), user_initiated_types = v_initiated, updated_at = now();
end;
$$;
comment on function analytics.run_nightly_etl(date) is
  'Nightly ETL (DESIGN.md §10.3): computes local yesterday, the days since the last run, the requested days and every day that received events since the last run, then what those events change on other days (links, rates, WAU/MAU, cohorts, order and horoscope histories); afterwards every day within raw retention equals a computation from scratch. Consumes the marks and requests it read. p_today overrides local today (tests, catch-up runs). Returns each day computed in full with its status.';
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

-- The schedule: pg_cron on hosted Supabase runs in UTC, so an hourly job starts the nightly run once
-- per local day, at the first hour at or after 02:00 local (DST-safe: a skipped or repeated hour
-- neither skips nor repeats the run).
create or replace function analytics.run_nightly_etl_if_due(p_now timestamptz default now())
returns text
language plpgsql
set search_path = ''
as $$
declare
  v_local timestamp := p_now at time zone analytics.reporting_time_zone();
begin
  if v_local::time < time '02:00' then
    return 'not yet';
  end if;
  if exists (select 1 from analytics.etl_nightly_state s where s.last_scheduled_today >= v_local::date) then
    return 'done today';
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
  'Called hourly by pg_cron: runs analytics.run_nightly_etl() once per local day, at the first call at or after 02:00 local time (p_now: the time of the call). Returns ran | not yet | done today | running.';
revoke all on function analytics.run_nightly_etl_if_due(timestamptz) from public, anon, authenticated;
grant execute on function analytics.run_nightly_etl_if_due(timestamptz) to service_role;

-- KPI contract v2, reporting time zone (DESIGN.md §10.1): one IANA zone per deployment, kept here
-- (default UTC; SAMIA-TAROT production uses Asia/Riyadh). Day D is [D 00:00, D+1 00:00) local time
-- in that zone (23 or 25 hours on a DST change day) for everything that speaks of days: ETL day
-- windows, WAU/MAU, first-seen days and cohorts, the reader's 30-day window, health's "yesterday",
-- the runbook views. Month partitions and raw retention stay in UTC.

create table analytics.reporting_settings (
  singleton boolean primary key default true,
  time_zone text not null default 'UTC',
  changed_at timestamptz not null default now(),
  constraint reporting_settings_singleton check (singleton)
);
comment on table analytics.reporting_settings is
  'The reporting time zone of this deployment (one row). Change it with analytics.set_reporting_time_zone(zone).';
comment on column analytics.reporting_settings.singleton is 'Always true: the table holds one row.';
comment on column analytics.reporting_settings.time_zone is 'IANA time zone name in which metric days are local days.';
comment on column analytics.reporting_settings.changed_at is 'When the zone was last set.';
insert into analytics.reporting_settings default values on conflict do nothing;
alter table analytics.reporting_settings enable row level security;
revoke all on analytics.reporting_settings from public, anon, authenticated;
grant select on analytics.reporting_settings to service_role;

create or replace function analytics.reporting_time_zone()
returns text
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce((select s.time_zone from analytics.reporting_settings s), 'UTC')
$$;
comment on function analytics.reporting_time_zone() is
  'The reporting time zone (IANA name): metric dates are local dates in it. Policy helper (the runbook views and the reader window use it); reveals only the zone name, which every metrics response states.';
revoke all on function analytics.reporting_time_zone() from public, anon;
grant execute on function analytics.reporting_time_zone() to authenticated, service_role;

-- A policy helper (the reader's 30-day window), so authenticated may execute it; it reveals only
-- the date. security definer: authenticated cannot read the settings table.
create or replace function analytics.reporting_today()
returns date
language sql
stable
security definer
set search_path = ''
as $$
  select (now() at time zone analytics.reporting_time_zone())::date
$$;
comment on function analytics.reporting_today() is
  'Today''s date in the reporting time zone. Policy helper: call as (select analytics.reporting_today()).';
revoke all on function analytics.reporting_today() from public, anon;
grant execute on function analytics.reporting_today() to authenticated, service_role;

-- Days the next nightly run recomputes from scratch, whatever arrived: a time zone change, a change
-- of the catalog's user_initiated flags, a failed day. Consumed by id, so a request added while a
-- run is in progress is left for the next one.
create table analytics.etl_recompute_requests (
  request_id bigint generated always as identity,
  metric_date date not null,
  reason text not null,
  requested_at timestamptz not null default now(),
  constraint etl_recompute_requests_pkey primary key (request_id)
);
create index etl_recompute_requests_metric_date_idx on analytics.etl_recompute_requests (metric_date);
comment on table analytics.etl_recompute_requests is
  'Local days to recompute from scratch at the next nightly run (time zone change, catalog change, failed day); analytics.run_nightly_etl deletes the requests it read.';
comment on column analytics.etl_recompute_requests.request_id is 'Identity of the request; the nightly run deletes requests by id.';
comment on column analytics.etl_recompute_requests.metric_date is 'The local day to recompute.';
comment on column analytics.etl_recompute_requests.reason is 'Why: time_zone, catalog, failed, rebuild.';
comment on column analytics.etl_recompute_requests.requested_at is 'When the request was added.';
comment on index analytics.etl_recompute_requests_metric_date_idx is 'The requests of one day.';
alter table analytics.etl_recompute_requests enable row level security;
revoke all on analytics.etl_recompute_requests from public, anon, authenticated;
grant select, insert, delete on analytics.etl_recompute_requests to service_role;

-- The first local day whose events are all still stored (raw retention is 90 UTC days).
create or replace function analytics.raw_retention_first_day(p_zone text default null)
returns date
language sql
stable
set search_path = ''
as $$
  select (((((now() at time zone 'UTC')::date - 90)::timestamp at time zone 'UTC')
          at time zone coalesce(p_zone, analytics.reporting_time_zone()))::date + 1)
$$;
comment on function analytics.raw_retention_first_day(text) is
  'The first local day (in the given zone, default the reporting zone) lying wholly within raw retention (events_raw keeps 90 UTC days).';
revoke all on function analytics.raw_retention_first_day(text) from public, anon, authenticated;
grant execute on function analytics.raw_retention_first_day(text) to service_role;

-- security definer: only the service role may call it, and it writes tables nobody else may.
create or replace function analytics.set_reporting_time_zone(p_zone text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_name text;
  v_old text;
  v_days bigint := 0;
begin
  -- IANA names only (case-insensitive, stored as the database spells them); not abbreviations or
  -- POSIX offsets, which Postgres would also accept.
  select z.name into v_name
  from pg_catalog.pg_timezone_names z
  where lower(z.name) = lower(btrim(p_zone)) and z.name not in ('Factory', 'posixrules', 'localtime')
  order by z.name = btrim(p_zone) desc
  limit 1;
  if v_name is null then
    raise exception using errcode = '22023',
      message = format('unknown time zone %s: use an IANA name such as Asia/Riyadh, Africa/Cairo or UTC',
        coalesce(quote_literal(left(p_zone, 64)), 'null'));
  end if;

  select s.time_zone into v_old from analytics.reporting_settings s for update;
  if v_old is distinct from v_name then
    update analytics.reporting_settings set time_zone = v_name, changed_at = now();
    -- Every computed day still within raw retention, in the new zone, and local yesterday.
    insert into analytics.etl_recompute_requests (metric_date, reason)
    select d::date, 'time_zone'
    from generate_series(analytics.raw_retention_first_day(v_name),
                         (now() at time zone v_name)::date - 1, interval '1 day') as d;
    get diagnostics v_days = row_count;
  end if;
  return jsonb_build_object('time_zone', v_name, 'previous', v_old, 'days_to_recompute', v_days);
end;
$$;
comment on function analytics.set_reporting_time_zone(text) is
  'Sets the reporting time zone (an IANA name; unknown names raise 22023 and change nothing) and asks the next nightly run to recompute every day within raw retention in it. Returns {time_zone, previous, days_to_recompute}.';
revoke all on function analytics.set_reporting_time_zone(text) from public, anon, authenticated;
grant execute on function analytics.set_reporting_time_zone(text) to service_role;

-- The reader's window: the last 30 local days (day -30 included), whatever the session TimeZone.
drop policy "readers read their own fulfillment metrics of the last 30 days" on public.metrics_daily_fulfillment;
create policy "readers read their own fulfillment metrics of the last 30 days"
  on public.metrics_daily_fulfillment for select to authenticated
  using (
    (select analytics.app_role()) = 'reader'
    and reader_id = (select auth.uid())
    and metric_date >= (select analytics.reporting_today() - 30)
  );
comment on policy "readers read their own fulfillment metrics of the last 30 days" on public.metrics_daily_fulfillment is
  'Readers read rows with reader_id = auth.uid() and metric_date >= local today - 30 (reporting time zone); never total rows.';

-- Runbook views in local days.
create or replace view public.etl_metrics_coverage with (security_invoker = true) as
select d.day::date as metric_date,
  exists (select 1 from public.metrics_daily_fulfillment m where m.metric_date = d.day::date) as has_fulfillment,
  exists (select 1 from public.metrics_daily_payments m where m.metric_date = d.day::date) as has_payments,
  exists (select 1 from public.metrics_daily_calls m where m.metric_date = d.day::date) as has_calls,
  exists (select 1 from public.metrics_daily_engagement m where m.metric_date = d.day::date) as has_engagement,
  exists (select 1 from public.metrics_daily_content m where m.metric_date = d.day::date) as has_content,
  (select r.status from public.etl_job_runs r
    where r.target_date = d.day::date and r.job_name = 'pipeline' order by r.started_at desc, r.id desc limit 1) as pipeline_status
from generate_series(analytics.reporting_today() - 30, analytics.reporting_today() - 1, interval '1 day') as d(day);
comment on view public.etl_metrics_coverage is
  'Runbook: for each of the last 30 local days (reporting time zone), which daily metric tables have rows and the latest pipeline status (null = never computed). Fulfillment/payments/calls have no rows on a day without events of their domain.';
comment on column public.etl_metrics_coverage.metric_date is 'Local day (reporting time zone).';

create or replace view public.event_volume_today with (security_invoker = true) as
select e.event_domain, count(*) as events, count(distinct e.user_id) as users,
  min(e.event_timestamp) as first_event_at, max(e.event_timestamp) as last_event_at, max(e.ingested_at) as last_ingested_at
from public.events_raw e
where e.event_timestamp >= analytics.reporting_today()::timestamp at time zone analytics.reporting_time_zone()
  and e.event_timestamp < (analytics.reporting_today() + 1)::timestamp at time zone analytics.reporting_time_zone()
group by e.event_domain;
comment on view public.event_volume_today is 'Runbook: events received so far today (local day, reporting time zone) per domain. Admins only (RLS on events_raw).';

-- The health report of 20261125004100 in local days: "yesterday" and "today so far" are local
-- days in the reporting time zone, which the report names.
create or replace function analytics.health_report()
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_zone text := analytics.reporting_time_zone();
  v_today date := (now() at time zone analytics.reporting_time_zone())::date;
  v_since_midnight interval := now() - (v_today::timestamp at time zone v_zone);
  v_jobs text[] := array['fulfillment', 'payments', 'calls', 'engagement', 'content', 'cohort_retention'];
  v_reasons text[] := '{}'::text[];
  v_not_ok text[] := '{}'::text[];
  v_failed jsonb;
  v_pending jsonb;
  v_stale_pending int;
  v_today_events bigint;
  v_median double precision;
  v_cron_failures jsonb;
begin
  -- 1. Yesterday computed: the latest run of every job for yesterday succeeded.
  select coalesce(array_agg(j.job order by j.job), '{}') into v_not_ok
  from unnest(v_jobs) as j(job)
  where coalesce((
    select r.status from public.etl_job_runs r
    where r.job_name = j.job and r.target_date = v_today - 1 order by r.started_at desc limit 1), 'missing') <> 'succeeded';
  if cardinality(v_not_ok) > 0 then
    v_reasons := v_reasons || format('yesterday (%s) is not computed: %s', v_today - 1, array_to_string(v_not_ok, ', '));
  end if;

  -- 2. Failed jobs in the last 7 days (the latest run of each job and day).
  select coalesce(jsonb_agg(jsonb_build_object('job', l.job_name, 'date', l.target_date, 'error', l.error)
                  order by l.target_date, l.job_name), '[]') into v_failed
  from (
    select distinct on (r.job_name, r.target_date) r.job_name, r.target_date, r.status, r.error
    from public.etl_job_runs r
    where r.target_date >= v_today - 7 and r.job_name <> 'pipeline'
    order by r.job_name, r.target_date, r.started_at desc
  ) l where l.status = 'failed';
  if jsonb_array_length(v_failed) > 0 then
    v_reasons := v_reasons || format('%s failed ETL job(s) in the last 7 days', jsonb_array_length(v_failed));
  end if;

  -- 3. Late days: normal until the next nightly run; an alert once one has waited over 26 hours.
  select coalesce(jsonb_agg(jsonb_build_object('date', p.metric_date, 'marked_at', p.marked_at) order by p.metric_date), '[]'),
         count(*) filter (where p.marked_at < now() - interval '26 hours')
  into v_pending, v_stale_pending
  from analytics.etl_pending_days p;
  if v_stale_pending > 0 then
    v_reasons := v_reasons || format('%s late day(s) waiting for more than 26 hours', v_stale_pending);
  end if;

  -- 4. Ingestion today so far vs the median of the same hours on the previous 7 days.
  select count(*) into v_today_events from public.events_raw e
  where e.event_timestamp >= v_today::timestamp at time zone v_zone and e.event_timestamp < now();
  select percentile_cont(0.5) within group (order by n) into v_median
  from (
    select (select count(*) from public.events_raw e
            where e.event_timestamp >= (v_today - d)::timestamp at time zone v_zone
              and e.event_timestamp < ((v_today - d)::timestamp at time zone v_zone) + v_since_midnight) as n
    from generate_series(1, 7) as d
  ) days;
  if v_median >= 100 and v_today_events < v_median * 0.5 then
    v_reasons := v_reasons || format('ingestion today (%s events) is below half the 7-day median (%s)', v_today_events, v_median);
  end if;

  -- 5. pg_cron failures in the last 24 hours.
  select coalesce(jsonb_agg(jsonb_build_object('job', j.jobname, 'at', d.start_time, 'message', left(d.return_message, 200))
                  order by d.start_time), '[]') into v_cron_failures
  from cron.job_run_details d left join cron.job j on j.jobid = d.jobid
  where d.status = 'failed' and d.start_time > now() - interval '24 hours';
  if jsonb_array_length(v_cron_failures) > 0 then
    v_reasons := v_reasons || format('%s pg_cron run(s) failed in the last 24 hours', jsonb_array_length(v_cron_failures));
  end if;

  return jsonb_build_object(
    'healthy', cardinality(v_reasons) = 0,
    'reasons', to_jsonb(v_reasons),
    'checked_at', now(),
    'time_zone', v_zone,
    'checks', jsonb_build_object(
      'yesterday', jsonb_build_object('date', v_today - 1, 'missing_or_failed_jobs', to_jsonb(v_not_ok)),
      'failed_jobs_7d', v_failed,
      'pending_late_days', v_pending,
      'ingestion', jsonb_build_object('today_so_far', v_today_events, 'median_same_hours_7d', v_median),
      'cron_failures_24h', v_cron_failures));
end;
$$;
comment on function analytics.health_report() is
  'Pipeline health in local days of the reporting time zone (named in the report): yesterday computed, failed jobs in 7 days, late days waiting > 26 h, ingestion vs the 7-day median, pg_cron failures in 24 h. Runs with owner rights (reads cron.*); service_role only.';
revoke all on function analytics.health_report() from public, anon, authenticated;
grant execute on function analytics.health_report() to service_role;

-- The metrics tables' dates are local days.
comment on column public.metrics_daily_fulfillment.metric_date is 'Local day (reporting time zone) the metrics describe.';
comment on column public.metrics_daily_payments.metric_date is 'Local day (reporting time zone) the metrics describe.';
comment on column public.metrics_daily_calls.metric_date is 'Local day (reporting time zone) the metrics describe.';
comment on column public.metrics_daily_engagement.metric_date is 'Local day (reporting time zone) the metrics describe.';
comment on column public.metrics_daily_content.metric_date is 'Local day (reporting time zone) the metrics describe.';
comment on column public.metrics_cohort_retention.cohort_date is 'Local day (reporting time zone) of the cohort''s first activity (user-initiated events).';
comment on column public.etl_job_runs.target_date is 'Local day (reporting time zone) the job computed.';
comment on table public.metrics_daily_fulfillment is
  'Fulfillment KPIs per local day (reporting time zone) by (service_code, reader_id); null dimensions are totals. Kept 2 years.';
comment on table public.metrics_daily_payments is
  'Payment KPIs per local day (reporting time zone) by (provider, country_code, currency) plus one total row per currency (provider and country null). Never summed across currencies. Kept 2 years.';
comment on table public.metrics_daily_calls is
  'Call quality KPIs per local day (reporting time zone) by (service_code, provider) plus a grand total row (both null). Kept 2 years.';
comment on table public.metrics_daily_engagement is 'Engagement KPIs, one row per computed local day (reporting time zone). Kept 2 years.';
comment on table public.metrics_daily_content is 'Daily horoscope content KPIs, one row per computed local day (reporting time zone). Kept 2 years.';

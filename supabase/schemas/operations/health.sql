-- The health report behind GET /functions/v1/health and the alerts of the runbook, in local days:
-- "yesterday" and "today so far" are local days in the reporting time zone, which the report names.
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

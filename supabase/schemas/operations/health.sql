-- The health report behind GET /functions/v1/health and the alerts of the runbook, in local days:
-- "yesterday" and "today so far" are local days in the reporting time zone, which the report names.
-- No false pages: a day must be computed only once it is due (analytics.etl_day_due_at: the nightly
-- run time plus a grace), so from local midnight until the nightly run has had its chance health
-- checks the day before. Running and stale ETL jobs are visible (analytics.etl_running_jobs); a
-- stale one is a reason.
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
  v_due_day date := analytics.latest_due_etl_day(now());
  v_due jsonb := analytics.etl_day_jobs_state(v_due_day);
  v_yesterday jsonb := analytics.etl_day_jobs_state(v_today - 1);
  v_due_at text := to_char(analytics.etl_day_due_at(v_due_day) at time zone v_zone, 'YYYY-MM-DD HH24:MI ') || v_zone;
  v_reasons text[] := '{}'::text[];
  v_running jsonb;
  v_stale int;
  v_failed jsonb;
  v_pending jsonb;
  v_stale_pending int;
  v_today_events bigint;
  v_median double precision;
  v_cron_failures jsonb;
begin
  -- 1. The latest due day computed: every job's latest run for it succeeded.
  if jsonb_array_length(v_due -> 'missing_or_failed_jobs') > 0 then
    v_reasons := v_reasons || format('%s is not computed (due %s): %s', v_due_day, v_due_at,
      (select string_agg(j, ', ') from jsonb_array_elements_text(v_due -> 'missing_or_failed_jobs') as j));
  end if;
  if jsonb_array_length(v_due -> 'running_jobs') > 0 then
    v_reasons := v_reasons || format('%s is still being computed (due %s): %s', v_due_day, v_due_at,
      (select string_agg(j, ', ') from jsonb_array_elements_text(v_due -> 'running_jobs') as j));
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

  -- 6. ETL jobs running now; stale ones (session gone, or running too long) are a reason.
  select coalesce(jsonb_agg(jsonb_build_object('job', r.job_name, 'date', r.target_date, 'started_at', r.started_at,
                    'backend_pid', r.backend_pid, 'stale', r.stale) order by r.started_at, r.id), '[]'),
         count(*) filter (where r.stale)
  into v_running, v_stale
  from analytics.etl_running_jobs(now()) r;
  if v_stale > 0 then
    v_reasons := v_reasons || format('%s ETL job run(s) stale: the session is gone or it has run for over %s', v_stale,
      (select coalesce(max(o.stale_run_after), interval '6 hours') from analytics.ops_settings o));
  end if;

  return jsonb_build_object(
    'healthy', cardinality(v_reasons) = 0,
    'reasons', to_jsonb(v_reasons),
    'checked_at', now(),
    'time_zone', v_zone,
    'running', (select coalesce(jsonb_agg(r - 'backend_pid'), '[]') from jsonb_array_elements(v_running) as r),
    'checks', jsonb_build_object(
      'latest_due_day', v_due,
      'yesterday', v_yesterday || jsonb_build_object('due', v_due_day = v_today - 1),
      'running_jobs', v_running,
      'failed_jobs_7d', v_failed,
      'pending_late_days', v_pending,
      'ingestion', jsonb_build_object('today_so_far', v_today_events, 'median_same_hours_7d', v_median),
      'cron_failures_24h', v_cron_failures));
end;
$$;
comment on function analytics.health_report() is
  'Pipeline health in local days of the reporting time zone (named in the report): the latest due day computed (analytics.etl_day_due_at: nightly run time plus grace), failed jobs in 7 days, late days waiting > 26 h, ingestion vs the 7-day median, pg_cron failures in 24 h, stale ETL runs; running jobs listed. Runs with owner rights (reads cron.*); service_role only.';
revoke all on function analytics.health_report() from public, anon, authenticated;
grant execute on function analytics.health_report() to service_role;

-- The state of a day's jobs: which have not succeeded (latest run) and which are running now.
create or replace function analytics.etl_day_jobs_state(p_day date, p_now timestamptz default now())
returns jsonb
language sql
stable
set search_path = ''
as $$
  select jsonb_build_object(
    'date', p_day,
    'due_at', analytics.etl_day_due_at(p_day),
    'missing_or_failed_jobs', coalesce(jsonb_agg(j.job order by j.job) filter (where l.status is distinct from 'succeeded' and not coalesce(l.alive, false)), '[]'),
    'running_jobs', coalesce(jsonb_agg(j.job order by j.job) filter (where coalesce(l.alive, false)), '[]'))
  from unnest(analytics.etl_job_names()) as j(job)
  left join lateral (
    select r.status, coalesce(rj.session_alive and not rj.stale, false) as alive
    from public.etl_job_runs r
    left join analytics.etl_running_jobs(p_now) rj on rj.id = r.id
    where r.job_name = j.job and r.target_date = p_day
    order by r.started_at desc, r.id desc limit 1
  ) l on true
$$;
comment on function analytics.etl_day_jobs_state(date, timestamptz) is
  'For one day: when it is due, the jobs whose latest run did not succeed (and is not running), and the jobs running now.';
revoke all on function analytics.etl_day_jobs_state(date, timestamptz) from public, anon, authenticated;
grant execute on function analytics.etl_day_jobs_state(date, timestamptz) to service_role;

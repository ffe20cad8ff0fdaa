-- The retention purge (docs/design.md §6), called daily by pg_cron: raw events 90 days (by default:
-- ops_settings.raw_retention_days, analytics.raw_retention_days()), daily metrics
-- and cohorts 2 years, etl_job_runs 1 year, pg_cron run history 30 days, per-user activity and
-- computed days (analytics.etl_days) 2 years (longer than the 365-day cohorts need); the ETL's links
-- and same-day counts of local days no longer wholly in raw retention.
-- Dropping a partition takes an ACCESS EXCLUSIVE lock on events_raw itself, which every ingest
-- batch would queue behind, and keeps it to the end of the transaction. So the purge deletes rows
-- first and drops the expired monthly partitions last (right before it commits), all of them in one
-- attempt that waits at most 500 ms for its locks; a failed attempt releases everything, pauses and
-- tries again (5 attempts); partitions still held are reported under "deferred_partitions" and
-- dropped by the next daily run. (DETACH ... CONCURRENTLY cannot run inside a function and is
-- refused while events_raw has a DEFAULT partition; a plain DETACH takes the same lock as DROP.)
create or replace function analytics.purge_expired_data(p_now timestamptz default now())
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  v_today date := (p_now at time zone 'UTC')::date;
  v_raw_cutoff timestamptz := (v_today - analytics.raw_retention_days())::timestamp at time zone 'UTC';
  v_metrics_cutoff date := (v_today - interval '2 years')::date;
  v_raw_first_day date := ((v_raw_cutoff at time zone analytics.reporting_time_zone())::date + 1);
  v_lock_timeout text := current_setting('lock_timeout');
  v_part record;
  v_expired text[] := '{}'::text[];
  v_dropped text[] := '{}'::text[];
  v_name text;
  v_count bigint;
  v_rows bigint := 0;
  v_result jsonb := '{}'::jsonb;
begin
  -- Expired rows of the partitions that outlive the cutoff (the boundary month) and of DEFAULT;
  -- partitions that end at or before the cutoff are dropped whole, below.
  for v_part in
    select c.relname::text as name, b.bounds
    from pg_catalog.pg_inherits i
    join pg_catalog.pg_class c on c.oid = i.inhrelid
    cross join lateral (
      select regexp_match(pg_catalog.pg_get_expr(c.relpartbound, c.oid), $re$FROM \('([^']+)'\) TO \('([^']+)'\)$re$) as bounds
    ) b
    where i.inhparent = 'public.events_raw'::regclass
    order by c.relname
  loop
    if v_part.bounds is null then
      delete from public.events_raw_default where event_timestamp < v_raw_cutoff;
    elsif v_part.bounds[2]::timestamptz <= v_raw_cutoff then
      v_expired := v_expired || v_part.name;
      continue;
    elsif v_part.bounds[1]::timestamptz < v_raw_cutoff then
      delete from public.events_raw where event_timestamp >= v_part.bounds[1]::timestamptz and event_timestamp < v_raw_cutoff;
    else
      continue;
    end if;
    get diagnostics v_count = row_count;
    v_rows := v_rows + v_count;
  end loop;
  v_result := v_result || jsonb_build_object('events_raw', v_rows);

  delete from public.metrics_daily_fulfillment where metric_date < v_metrics_cutoff;
  get diagnostics v_count = row_count;
  v_result := v_result || jsonb_build_object('metrics_daily_fulfillment', v_count);
  delete from public.metrics_daily_payments where metric_date < v_metrics_cutoff;
  get diagnostics v_count = row_count;
  v_result := v_result || jsonb_build_object('metrics_daily_payments', v_count);
  delete from public.metrics_daily_calls where metric_date < v_metrics_cutoff;
  get diagnostics v_count = row_count;
  v_result := v_result || jsonb_build_object('metrics_daily_calls', v_count);
  delete from public.metrics_daily_engagement where metric_date < v_metrics_cutoff;
  get diagnostics v_count = row_count;
  v_result := v_result || jsonb_build_object('metrics_daily_engagement', v_count);
  delete from public.metrics_daily_content where metric_date < v_metrics_cutoff;
  get diagnostics v_count = row_count;
  v_result := v_result || jsonb_build_object('metrics_daily_content', v_count);
  delete from public.metrics_cohort_retention where cohort_date < v_metrics_cutoff;
  get diagnostics v_count = row_count;
  v_result := v_result || jsonb_build_object('metrics_cohort_retention', v_count);
  delete from analytics.user_daily_activity where activity_date < v_metrics_cutoff;
  get diagnostics v_count = row_count;
  v_result := v_result || jsonb_build_object('user_daily_activity', v_count);

  -- ETL state of days whose events are gone (links, same-day counts: nothing recounts those days
  -- any more) and of metrics that are gone (computed days with their zone).
  delete from analytics.etl_share_links where target_day < v_raw_first_day;
  get diagnostics v_count = row_count;
  v_result := v_result || jsonb_build_object('etl_share_links', v_count);
  delete from analytics.etl_opt_out_links where target_day < v_raw_first_day;
  get diagnostics v_count = row_count;
  v_result := v_result || jsonb_build_object('etl_opt_out_links', v_count);
  delete from analytics.etl_share_same_day where metric_date < v_raw_first_day;
  get diagnostics v_count = row_count;
  v_result := v_result || jsonb_build_object('etl_share_same_day', v_count);
  delete from analytics.etl_late_day_marks where metric_date < v_raw_first_day;
  delete from analytics.etl_recompute_requests where metric_date < v_raw_first_day;
  delete from analytics.etl_days where metric_date < v_metrics_cutoff;
  get diagnostics v_count = row_count;
  v_result := v_result || jsonb_build_object('etl_days', v_count);

  delete from public.etl_job_runs where started_at < p_now - interval '1 year';
  get diagnostics v_count = row_count;
  v_result := v_result || jsonb_build_object('etl_job_runs', v_count);

  delete from cron.job_run_details where end_time < p_now - interval '30 days';
  get diagnostics v_count = row_count;
  v_result := v_result || jsonb_build_object('cron_job_run_details', v_count);

  -- Last: from the first drop on, events_raw stays locked against ingestion until this commits.
  if cardinality(v_expired) > 0 then
    for v_attempt in 1..5 loop
      begin
        perform pg_catalog.set_config('lock_timeout', '500ms', true);
        foreach v_name in array v_expired loop
          execute format('drop table public.%I', v_name);
        end loop;
        v_dropped := v_expired;
        exit;
      exception when lock_not_available then
        raise notice 'purge_expired_data: events_raw is busy (attempt % of 5)', v_attempt;
        if v_attempt < 5 then
          perform pg_catalog.pg_sleep(v_attempt);
        end if;
      end;
    end loop;
    perform pg_catalog.set_config('lock_timeout', v_lock_timeout, true);
    if cardinality(v_dropped) = 0 then
      raise warning 'purge_expired_data: could not drop % without stalling ingestion; the next run retries', array_to_string(v_expired, ', ');
    end if;
  end if;
  v_result := v_result || jsonb_build_object(
    'dropped_partitions', to_jsonb(v_dropped),
    'deferred_partitions', to_jsonb(case when cardinality(v_dropped) = 0 then v_expired else '{}'::text[] end));

  return v_result;
end;
$$;
comment on function analytics.purge_expired_data(timestamptz) is
  'Retention purge (pg_cron, daily): deletes raw events older than raw retention (analytics.raw_retention_days(), 90 days by default) from the boundary partition and DEFAULT, metrics/cohorts/activity/computed days older than 2 years, ETL links and same-day counts of days no longer in raw retention, etl_job_runs older than 1 year, cron run history older than 30 days, then drops expired monthly events_raw partitions (waiting at most 500 ms per attempt, 5 attempts; partitions it could not drop are returned as deferred_partitions and dropped by the next run). Returns counts.';
revoke all on function analytics.purge_expired_data(timestamptz) from public, anon, authenticated;
grant execute on function analytics.purge_expired_data(timestamptz) to service_role;

-- Retention for what analytics.purge_expired_data and analytics.purge_ingest_quota leave:
-- - analytics.user_first_seen: a user's first-seen day is kept while the user has activity within
--   the 2 years user_daily_activity keeps, and goes 2 years after their last active day (a user
--   back after that counts as new, and every cohort they were in is purged already);
-- - analytics.etl_activity_changes: consumed by the next nightly run; at most 2 years, as activity;
-- - analytics.health_alerts: 90 days; analytics.etl_nightly_runs: 1 year, as etl_job_runs.
-- Cut-offs as purge_expired_data's: the UTC day of p_now minus the period.
create or replace function analytics.purge_expired_state(p_now timestamptz default now())
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  v_activity_cutoff date := ((p_now at time zone 'UTC')::date - interval '2 years')::date;
  v_count bigint;
  v_result jsonb := '{}'::jsonb;
begin
  -- Last active before the cut-off: the user's activity is all expired.
  delete from analytics.user_first_seen f where f.last_seen_date < v_activity_cutoff;
  get diagnostics v_count = row_count;
  v_result := v_result || jsonb_build_object('user_first_seen', v_count);

  delete from analytics.etl_activity_changes c where c.activity_date < v_activity_cutoff;
  get diagnostics v_count = row_count;
  v_result := v_result || jsonb_build_object('etl_activity_changes', v_count);

  delete from analytics.health_alerts a where a.created_at < p_now - interval '90 days';
  get diagnostics v_count = row_count;
  v_result := v_result || jsonb_build_object('health_alerts', v_count);

  delete from analytics.etl_nightly_runs n where n.started_at < p_now - interval '1 year' and n.status <> 'running';
  get diagnostics v_count = row_count;
  return v_result || jsonb_build_object('etl_nightly_runs', v_count);
end;
$$;
comment on function analytics.purge_expired_state(timestamptz) is
  'Retention purge (pg_cron, daily) of the state purge_expired_data leaves: first-seen days of users without activity in the last 2 years, activity changes older than 2 years, health alerts older than 90 days, nightly runs older than 1 year. Returns counts.';
revoke all on function analytics.purge_expired_state(timestamptz) from public, anon, authenticated;
grant execute on function analytics.purge_expired_state(timestamptz) to service_role;

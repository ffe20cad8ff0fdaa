-- The retention purge (DESIGN.md §6), called daily by pg_cron: raw events 90 days (whole monthly
-- partitions dropped, the boundary partition and DEFAULT deleted from), daily metrics and cohorts
-- 2 years, etl_job_runs 1 year, pg_cron run history 30 days, per-user activity 2 years (longer than
-- the 365-day cohorts need).
create or replace function analytics.purge_expired_data(p_now timestamptz default now())
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  v_today date := (p_now at time zone 'UTC')::date;
  v_raw_cutoff timestamptz := (v_today - 90)::timestamp at time zone 'UTC';
  v_metrics_cutoff date := (v_today - interval '2 years')::date;
  v_part record;
  v_dropped text[] := '{}'::text[];
  v_count bigint;
  v_result jsonb := '{}'::jsonb;
begin
  -- Whole monthly partitions that end at or before the cutoff: dropped, not deleted row by row.
  for v_part in
    select c.relname,
      (regexp_match(pg_catalog.pg_get_expr(c.relpartbound, c.oid), 'TO \(''([^'']+)''\)'))[1]::timestamptz as upper_bound
    from pg_catalog.pg_inherits i
    join pg_catalog.pg_class c on c.oid = i.inhrelid
    where i.inhparent = 'public.events_raw'::regclass and c.relname <> 'events_raw_default'
  loop
    if v_part.upper_bound <= v_raw_cutoff then
      execute format('drop table public.%I', v_part.relname);
      v_dropped := v_dropped || v_part.relname::text;
    end if;
  end loop;
  v_result := v_result || jsonb_build_object('dropped_partitions', to_jsonb(v_dropped));

  -- The boundary partition and DEFAULT (partition pruning keeps this to them).
  delete from public.events_raw where event_timestamp < v_raw_cutoff;
  get diagnostics v_count = row_count;
  v_result := v_result || jsonb_build_object('events_raw', v_count);

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

  delete from public.etl_job_runs where started_at < p_now - interval '1 year';
  get diagnostics v_count = row_count;
  v_result := v_result || jsonb_build_object('etl_job_runs', v_count);

  delete from cron.job_run_details where end_time < p_now - interval '30 days';
  get diagnostics v_count = row_count;
  v_result := v_result || jsonb_build_object('cron_job_run_details', v_count);

  return v_result;
end;
$$;
comment on function analytics.purge_expired_data(timestamptz) is
  'Retention purge (pg_cron, daily): drops expired monthly events_raw partitions, deletes raw events older than 90 days, metrics/cohorts/activity older than 2 years, etl_job_runs older than 1 year, cron run history older than 30 days. Returns counts.';
revoke all on function analytics.purge_expired_data(timestamptz) from public, anon, authenticated;
grant execute on function analytics.purge_expired_data(timestamptz) to service_role;

-- Cohort retention for one observed local day D: every cohort C in [D-365, D] (users first active on
-- C, analytics.user_first_seen) gets its day-(D-C) row, from the activity tables the engagement job
-- has just filled (etl/activity.sql). With their statistics still saying "empty" the planner picks
-- a nested loop over sequential scans, quadratic in the day's users; a hash or merge join is
-- linear whatever the statistics say, hence enable_nestloop = off. jit = off: see etl/runs.sql.
create or replace function analytics.write_cohort_retention_metrics(p_date date)
returns bigint
language plpgsql
set search_path = ''
set plan_cache_mode = force_custom_plan
set jit = off
set enable_nestloop = off
as $$
declare
  v_rows bigint;
begin
  delete from public.metrics_cohort_retention where cohort_date + retention_day = p_date;

  insert into public.metrics_cohort_retention (cohort_date, retention_day, cohort_size, retained_users, retention_rate)
  select f.first_seen_date, p_date - f.first_seen_date, count(*), count(a.user_id),
    count(a.user_id)::double precision / count(*)
  from analytics.user_first_seen f
  left join analytics.user_daily_activity a on a.user_id = f.user_id and a.activity_date = p_date
  where f.first_seen_date >= p_date - 365 and f.first_seen_date <= p_date
  group by f.first_seen_date;

  get diagnostics v_rows = row_count;
  return v_rows;
end;
$$;
comment on function analytics.write_cohort_retention_metrics(date) is
  'Delete-then-insert of the cohort rows observed on one local day (day N = that day - cohort day, N in 0..365), from user_first_seen and user_daily_activity.';
revoke all on function analytics.write_cohort_retention_metrics(date) from public, anon, authenticated;
grant execute on function analytics.write_cohort_retention_metrics(date) to service_role;

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
  -- First seen before the cut-off and no activity since: the user's activity is all expired.
  delete from analytics.user_first_seen f
  where f.first_seen_date < v_activity_cutoff
    and not exists (select 1 from analytics.user_daily_activity a
                    where a.user_id = f.user_id and a.activity_date >= v_activity_cutoff);
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

select cron.schedule('analytics-purge-expired-state', '40 3 * * *', 'select analytics.purge_expired_state()');

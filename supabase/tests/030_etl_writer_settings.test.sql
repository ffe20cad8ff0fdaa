-- Execution settings of the ETL writers (supabase/schemas/etl): no JIT in any writer (its cost estimate
-- grows with the partition, not the day), and no sequential scans of the activity tables in the
-- writers that fill and read them (with empty statistics those plans were quadratic); the writers that
-- sort or hash a day's events do it in memory on every compute size, and the functions that run a
-- day's statements plan them for that day each time, never with a generic plan (etl/runs.sql).
begin;
select plan(26);

create function pg_temp.config_of(p_function regprocedure) returns text[] language sql stable as $$
  select coalesce(proconfig, '{}') from pg_proc where oid = p_function
$$;

select ok('jit=off' = any(pg_temp.config_of(f::regprocedure)), f || ' runs without JIT')
from unnest(array[
  'analytics.write_fulfillment_metrics(date)', 'analytics.write_payments_metrics(date)',
  'analytics.write_calls_metrics(date)', 'analytics.write_engagement_metrics(date)',
  'analytics.write_content_metrics(date)', 'analytics.write_cohort_retention_metrics(date)']) as f;
select ok('work_mem=128MB' = any(pg_temp.config_of(f::regprocedure)), f || ' sorts and hashes a day in memory')
from unnest(array[
  'analytics.write_fulfillment_metrics(date)', 'analytics.write_payments_metrics(date)',
  'analytics.write_calls_metrics(date)', 'analytics.write_engagement_metrics(date)']) as f;
select ok('plan_cache_mode=force_custom_plan' = any(pg_temp.config_of(f::regprocedure)), f || ' plans its statements for the days it is given')
from unnest(array[
  'analytics.write_fulfillment_metrics(date)', 'analytics.write_payments_metrics(date)',
  'analytics.write_calls_metrics(date)', 'analytics.write_engagement_metrics(date)',
  'analytics.write_content_metrics(date)', 'analytics.write_cohort_retention_metrics(date)',
  'analytics.refresh_activity_counts(date[])', 'analytics.refresh_cohorts(date[], date[])',
  'analytics.apply_activity_changes(date[])', 'analytics.etl_process_prepare(date[], jsonb, date, text)',
  'analytics.recompute_share_links(text, text[], timestamptz)', 'analytics.recompute_opt_out_links(uuid[], timestamptz)',
  'analytics.refresh_share_rates(text, date[])']) as f;
select ok('enable_nestloop=off' = any(pg_temp.config_of('analytics.write_cohort_retention_metrics(date)')),
  'the cohort job joins the activity tables without nested loops');
-- The engagement statement turns sequential scans off for itself only and restores the setting.
select is(
  (select count(*)::int from regexp_matches(
     (select prosrc from pg_proc where oid = 'analytics.write_engagement_metrics(date)'::regprocedure),
     $re$set_config\('enable_seqscan', (?:'off'|v_seqscan), true\)$re$, 'g')),
  2, 'the engagement statement runs without sequential scans and restores the setting after it');
-- Nor nested loops: with every user of a day moving (a zone change), one rescanned a CTE per user;
-- and the notification statement's CTEs (the day's deliveries, their links) have no statistics.
select is(
  (select count(*)::int from regexp_matches(
     (select prosrc from pg_proc where oid = 'analytics.write_engagement_metrics(date)'::regprocedure),
     $re$set_config\('enable_nestloop', (?:'off'|v_nestloop), true\)$re$, 'g')),
  4, 'the activity and notification statements run without nested loops, each restoring the setting after it');

select * from finish();
rollback;

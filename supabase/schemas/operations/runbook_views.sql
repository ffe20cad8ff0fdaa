-- Runbook views (spec "Operations Runbook"), in public for admins' BI/SQL access. security_invoker:
-- they read the base tables with the caller's rights and RLS (admins only on etl_job_runs and
-- events_raw). Views over system catalogs are additionally filtered to admins and the service role.

create view public.etl_status_by_date with (security_invoker = true) as
select distinct on (r.target_date, r.job_name)
  r.target_date, r.job_name, r.status, r.started_at, r.finished_at,
  extract(epoch from r.finished_at - r.started_at)::double precision as duration_s,
  r.rows_written, r.error,
  (select count(*) from public.etl_job_runs x where x.target_date = r.target_date and x.job_name = r.job_name) as runs
from public.etl_job_runs r
order by r.target_date desc, r.job_name, r.started_at desc, r.id desc;
comment on view public.etl_status_by_date is
  'Runbook: latest ETL run per day and job (status, timing, rows, error) and how many runs the day had. Admins only.';
comment on column public.etl_status_by_date.target_date is 'Local day (reporting time zone) computed.';
comment on column public.etl_status_by_date.job_name is 'ETL job, or pipeline for the whole run.';
comment on column public.etl_status_by_date.status is 'Status of the latest run: running | succeeded | failed | skipped.';
comment on column public.etl_status_by_date.started_at is 'Start of the latest run.';
comment on column public.etl_status_by_date.finished_at is 'End of the latest run.';
comment on column public.etl_status_by_date.duration_s is 'Seconds the latest run took.';
comment on column public.etl_status_by_date.rows_written is 'Rows the latest run wrote.';
comment on column public.etl_status_by_date.error is 'Error of the latest run when it failed.';
comment on column public.etl_status_by_date.runs is 'Runs of this job for this day so far.';

create view public.etl_metrics_coverage with (security_invoker = true) as
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
comment on column public.etl_metrics_coverage.has_fulfillment is 'metrics_daily_fulfillment has rows for the day.';
comment on column public.etl_metrics_coverage.has_payments is 'metrics_daily_payments has rows for the day.';
comment on column public.etl_metrics_coverage.has_calls is 'metrics_daily_calls has rows for the day.';
comment on column public.etl_metrics_coverage.has_engagement is 'metrics_daily_engagement has its row for the day.';
comment on column public.etl_metrics_coverage.has_content is 'metrics_daily_content has its row for the day.';
comment on column public.etl_metrics_coverage.pipeline_status is 'Latest pipeline run status for the day; null when never run.';

create view public.event_volume_today with (security_invoker = true) as
select e.event_domain, count(*) as events, count(distinct e.user_id) as users,
  min(e.event_timestamp) as first_event_at, max(e.event_timestamp) as last_event_at, max(e.ingested_at) as last_ingested_at
from public.events_raw e
where e.event_timestamp >= analytics.reporting_today()::timestamp at time zone analytics.reporting_time_zone()
  and e.event_timestamp < (analytics.reporting_today() + 1)::timestamp at time zone analytics.reporting_time_zone()
group by e.event_domain;
comment on view public.event_volume_today is 'Runbook: events received so far today (local day, reporting time zone) per domain. Admins only (RLS on events_raw).';
comment on column public.event_volume_today.event_domain is 'Event domain.';
comment on column public.event_volume_today.events is 'Events today.';
comment on column public.event_volume_today.users is 'Distinct users with events today.';
comment on column public.event_volume_today.first_event_at is 'Earliest event_timestamp today.';
comment on column public.event_volume_today.last_event_at is 'Latest event_timestamp today.';
comment on column public.event_volume_today.last_ingested_at is 'Latest ingestion time among today''s events.';

create view public.events_partition_sizes with (security_invoker = true) as
select c.relname::text as partition_name,
  pg_catalog.pg_get_expr(c.relpartbound, c.oid) as bounds,
  c.reltuples::bigint as estimated_rows,
  pg_catalog.pg_total_relation_size(c.oid) as total_bytes,
  pg_catalog.pg_size_pretty(pg_catalog.pg_total_relation_size(c.oid)) as total_size
from pg_catalog.pg_inherits i
join pg_catalog.pg_class c on c.oid = i.inhrelid
where i.inhparent = 'public.events_raw'::regclass
  and ((select analytics.is_admin()) or pg_catalog.pg_has_role(current_user, 'service_role', 'member'));
comment on view public.events_partition_sizes is
  'Runbook: events_raw partitions with their range, estimated rows and size on disk. Admins and the service role only.';
comment on column public.events_partition_sizes.partition_name is 'Partition table name.';
comment on column public.events_partition_sizes.bounds is 'Partition bound (range or DEFAULT).';
comment on column public.events_partition_sizes.estimated_rows is 'Planner row estimate (-1 before the first analyze).';
comment on column public.events_partition_sizes.total_bytes is 'Size including indexes and TOAST, bytes.';
comment on column public.events_partition_sizes.total_size is 'Same, human readable.';

revoke all on public.etl_status_by_date, public.etl_metrics_coverage, public.event_volume_today,
  public.events_partition_sizes from public, anon, authenticated;
grant select on public.etl_status_by_date, public.etl_metrics_coverage, public.event_volume_today,
  public.events_partition_sizes to authenticated, service_role;

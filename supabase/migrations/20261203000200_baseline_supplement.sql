-- What the generated baseline cannot express (hand-written; the drift check in npm test fails when
-- this and supabase/schemas disagree):
-- - the diff writes a new object's grants, not the revoke of a privilege that the project's default
--   privileges add when the object is created (a hosted project's, mirrored by stack/platform.sql,
--   give service_role everything on a new table in public);
-- - the diff creates an index of a partitioned table ON ONLY the parent, so the partitions that
--   exist already get none (and the parent's index stays invalid until they do): those are
--   created and attached here; partitions created later get theirs when they are attached;
-- - the diff carries no comments on view columns.

-- supabase/schemas/events.sql
revoke all on public.events_raw_default from service_role;
create index events_raw_default_event_timestamp_idx on public.events_raw_default using brin (event_timestamp);
alter index public.events_raw_event_timestamp_brin attach partition public.events_raw_default_event_timestamp_idx;

-- supabase/schemas/etl/lookback.sql
create index events_raw_default_entity_id_event_timestamp_idx on public.events_raw_default (entity_id, event_timestamp)
  where event_domain in ('orders', 'content');
alter index public.events_raw_lifecycle_entity_idx attach partition public.events_raw_default_entity_id_event_timestamp_idx;

-- supabase/schemas/operations/runbook_views.sql
comment on column public.etl_status_by_date.target_date is 'UTC day computed.';
comment on column public.etl_status_by_date.job_name is 'ETL job, or pipeline for the whole run.';
comment on column public.etl_status_by_date.status is 'Status of the latest run: running | succeeded | failed | skipped.';
comment on column public.etl_status_by_date.started_at is 'Start of the latest run.';
comment on column public.etl_status_by_date.finished_at is 'End of the latest run.';
comment on column public.etl_status_by_date.duration_s is 'Seconds the latest run took.';
comment on column public.etl_status_by_date.rows_written is 'Rows the latest run wrote.';
comment on column public.etl_status_by_date.error is 'Error of the latest run when it failed.';
comment on column public.etl_status_by_date.runs is 'Runs of this job for this day so far.';
comment on column public.etl_metrics_coverage.metric_date is 'UTC day.';
comment on column public.etl_metrics_coverage.has_fulfillment is 'metrics_daily_fulfillment has rows for the day.';
comment on column public.etl_metrics_coverage.has_payments is 'metrics_daily_payments has rows for the day.';
comment on column public.etl_metrics_coverage.has_calls is 'metrics_daily_calls has rows for the day.';
comment on column public.etl_metrics_coverage.has_engagement is 'metrics_daily_engagement has its row for the day.';
comment on column public.etl_metrics_coverage.has_content is 'metrics_daily_content has its row for the day.';
comment on column public.etl_metrics_coverage.pipeline_status is 'Latest pipeline run status for the day; null when never run.';
comment on column public.event_volume_today.event_domain is 'Event domain.';
comment on column public.event_volume_today.events is 'Events today.';
comment on column public.event_volume_today.users is 'Distinct users with events today.';
comment on column public.event_volume_today.first_event_at is 'Earliest event_timestamp today.';
comment on column public.event_volume_today.last_event_at is 'Latest event_timestamp today.';
comment on column public.event_volume_today.last_ingested_at is 'Latest ingestion time among today''s events.';
comment on column public.events_partition_sizes.partition_name is 'Partition table name.';
comment on column public.events_partition_sizes.bounds is 'Partition bound (range or DEFAULT).';
comment on column public.events_partition_sizes.estimated_rows is 'Planner row estimate (-1 before the first analyze).';
comment on column public.events_partition_sizes.total_bytes is 'Size including indexes and TOAST, bytes.';
comment on column public.events_partition_sizes.total_size is 'Same, human readable.';

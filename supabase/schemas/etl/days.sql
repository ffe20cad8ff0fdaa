-- The ETL's days (docs/design.md §10.3): the local days computed and in which zone, the days to
-- recompute from scratch, the activity changes that other computed days depend on, and the days
-- the current run computes in full.

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

-- Every computed local day with its zone: the cohorts, late-event marks and activity changes read it.
create table analytics.etl_days (
  metric_date date not null,
  time_zone text not null,
  computed_at timestamptz not null default now(),
  constraint etl_days_pkey primary key (metric_date)
);
comment on table analytics.etl_days is
  'Every computed local day and the reporting time zone it was computed in (days older than raw retention keep theirs). Kept as long as the metrics (2 years).';
comment on column analytics.etl_days.metric_date is 'The local day.';
comment on column analytics.etl_days.time_zone is 'The reporting time zone of its last computation.';
comment on column analytics.etl_days.computed_at is 'When its pipeline last ran.';
alter table analytics.etl_days enable row level security;
revoke all on analytics.etl_days from public, anon, authenticated;
grant select, insert, update, delete on analytics.etl_days to service_role;

-- Activity that changed on a day which other computed days depend on (WAU/MAU of the next 29 days,
-- the cohorts the user moves between): written by the engagement job, applied and deleted by the
-- nightly run (analytics.apply_activity_changes). User-level (GDPR erasure finds its user_id).
create table analytics.etl_activity_changes (
  change_id bigint generated always as identity,
  user_id uuid not null,
  activity_date date not null,
  old_first_seen date,
  changed_at timestamptz not null default now(),
  constraint etl_activity_changes_pkey primary key (change_id)
);
comment on table analytics.etl_activity_changes is
  'A user''s activity on a day was recorded or removed while later computed days depend on it; analytics.apply_activity_changes brings those days'' WAU/MAU and cohort rows up to date and deletes the rows it read.';
comment on column analytics.etl_activity_changes.change_id is 'Identity; the nightly run deletes the changes it applied by id.';
comment on column analytics.etl_activity_changes.user_id is 'Pseudonymous user uuid.';
comment on column analytics.etl_activity_changes.activity_date is 'Local day whose activity of the user changed.';
comment on column analytics.etl_activity_changes.old_first_seen is 'The user''s first-seen day before the change (null: none).';
comment on column analytics.etl_activity_changes.changed_at is 'When the change was recorded.';
alter table analytics.etl_activity_changes enable row level security;
revoke all on analytics.etl_activity_changes from public, anon, authenticated;
grant select, insert, delete on analytics.etl_activity_changes to service_role;

-- The days whose activity the running nightly (or rebuild, or pipeline) computes in this
-- transaction: those on which it runs the engagement job (and so the cohort job after it).
create or replace function analytics.etl_run_days()
returns date[]
language sql
stable
set search_path = ''
as $$
  select coalesce(nullif(current_setting('analytics.etl_run_days', true), '')::date[], '{}')
$$;
comment on function analytics.etl_run_days() is
  'The local days on which the current transaction''s ETL run runs the engagement and cohort jobs (transaction setting analytics.etl_run_days): their own jobs bring their activity counts and cohorts up to date, so changes of activity elsewhere need not.';
revoke all on function analytics.etl_run_days() from public, anon, authenticated;
grant execute on function analytics.etl_run_days() to service_role;

-- ETL-maintained user-level tables (docs/design.md §5, §6): a compact per-user-per-day activity log and
-- each user's first active day. DAU/WAU/MAU and cohorts read these instead of rescanning raw events,
-- so they survive the 90-day raw retention. They are the ONLY user-level data the ETL keeps
-- (GDPR erasure deletes from them). The engagement job fills them (etl/engagement.sql), the cohort
-- job reads them (etl/cohort_retention.sql). Not exposed: RLS on, no grants to anon/authenticated.

create table analytics.user_daily_activity (
  user_id uuid not null,
  activity_date date not null,
  constraint user_daily_activity_pkey primary key (user_id, activity_date)
);
create index user_daily_activity_date_idx on analytics.user_daily_activity (activity_date);
comment on table analytics.user_daily_activity is
  'One row per user and local day (reporting time zone) with a user-initiated event of the user; replaced per day by the engagement ETL job. Kept 2 years.';
comment on column analytics.user_daily_activity.user_id is 'Pseudonymous user uuid (events_raw.user_id).';
comment on column analytics.user_daily_activity.activity_date is 'Local day (reporting time zone) on which the user had at least one user-initiated event.';
comment on index analytics.user_daily_activity_date_idx is 'DAU/WAU/MAU windows and cohort look-ups by day.';

create table analytics.user_first_seen (
  user_id uuid not null,
  first_seen_date date not null,
  constraint user_first_seen_pkey primary key (user_id)
);
create index user_first_seen_date_idx on analytics.user_first_seen (first_seen_date);
comment on table analytics.user_first_seen is
  'First local day each user was active (the cohort day); moved when activity of an earlier day arrives or a day is recomputed.';
comment on column analytics.user_first_seen.user_id is 'Pseudonymous user uuid.';
comment on column analytics.user_first_seen.first_seen_date is 'Earliest computed local day with user-initiated activity of the user.';
comment on index analytics.user_first_seen_date_idx is 'Cohort membership look-ups by first day.';

alter table analytics.user_daily_activity enable row level security;
alter table analytics.user_first_seen enable row level security;
revoke all on analytics.user_daily_activity, analytics.user_first_seen from public, anon, authenticated;
grant select, insert, update, delete on analytics.user_daily_activity, analytics.user_first_seen to service_role;

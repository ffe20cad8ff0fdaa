-- ETL-maintained user-level tables (docs/design.md §5, §6): a compact per-user-per-day activity log and
-- each user's first active day. DAU/WAU/MAU and cohorts read these instead of rescanning raw events,
-- so they survive the 90-day raw retention. They are the ONLY user-level data the ETL keeps
-- (GDPR erasure deletes from them). The engagement job fills them (etl/engagement.sql), the cohort
-- job reads them (etl/cohort_retention.sql). Not exposed: RLS on, no grants to anon/authenticated.

-- The key starts with the day: a night's pairs are appended after the previous day's, where a key
-- starting with the user put each on a random page of an index kept 2 years (docs/scaling.md). What
-- is asked per user is in user_first_seen (first and last day); the rare look-ups of one user's
-- pairs (erasure, export) probe each stored day (analytics.activity_dates()).
create table analytics.user_daily_activity (
  user_id uuid not null,
  activity_date date not null,
  constraint user_daily_activity_pkey primary key (activity_date, user_id)
);
comment on table analytics.user_daily_activity is
  'One row per user and local day (reporting time zone) with a user-initiated event of the user; replaced per day by the engagement ETL job. Kept 2 years.';
comment on column analytics.user_daily_activity.user_id is 'Pseudonymous user uuid (events_raw.user_id).';
comment on column analytics.user_daily_activity.activity_date is 'Local day (reporting time zone) on which the user had at least one user-initiated event.';

-- One row per user: its first day is the cohort day, its last day when the row expires
-- (operations/retention.sql). The nightly updates the last day of each returning user; free space
-- on each page (fillfactor) keeps those updates on the row's page (HOT), with no index entry.
create table analytics.user_first_seen (
  user_id uuid not null,
  first_seen_date date not null,
  last_seen_date date not null,
  constraint user_first_seen_pkey primary key (user_id),
  constraint user_first_seen_days_ordered check (last_seen_date >= first_seen_date)
) with (fillfactor = 80);
create index user_first_seen_date_idx on analytics.user_first_seen (first_seen_date);
comment on table analytics.user_first_seen is
  'First local day each user was active (the cohort day) and the last; moved when activity of an earlier or later day arrives or a day is recomputed.';
comment on column analytics.user_first_seen.user_id is 'Pseudonymous user uuid.';
comment on column analytics.user_first_seen.first_seen_date is 'Earliest computed local day with user-initiated activity of the user.';
comment on column analytics.user_first_seen.last_seen_date is 'Latest computed local day with user-initiated activity of the user (the row goes 2 years after it).';
comment on index analytics.user_first_seen_date_idx is 'Cohort membership look-ups by first day.';

alter table analytics.user_daily_activity enable row level security;
alter table analytics.user_first_seen enable row level security;
revoke all on analytics.user_daily_activity, analytics.user_first_seen from public, anon, authenticated;
grant select, insert, update, delete on analytics.user_daily_activity, analytics.user_first_seen to service_role;

-- Every day from the oldest to the newest stored pair. Postgres 15 has no skip scan: one user's
-- pairs are found by `activity_date = any(analytics.activity_dates())`, a probe of the key per day
-- (at most 2 years of days), instead of a read of every pair.
create or replace function analytics.activity_dates()
returns date[]
language sql
stable
set search_path = ''
as $$
  select array(
    select d::date
    from generate_series((select min(a.activity_date) from analytics.user_daily_activity a)::timestamp,
                         (select max(a.activity_date) from analytics.user_daily_activity a)::timestamp,
                         interval '1 day') as d)
$$;
comment on function analytics.activity_dates() is
  'Every day from the oldest to the newest row of user_daily_activity (empty when there is none): the days to probe for one user''s pairs.';
revoke all on function analytics.activity_dates() from public, anon, authenticated;
grant execute on function analytics.activity_dates() to service_role;

-- KPI contract v2, active users (DESIGN.md §10.2): only events that show the user doing something
-- make them active. The catalog says which types those are; DAU/WAU/MAU, first-seen days and
-- cohorts read user-initiated events only. System and staff events that carry the client's id
-- (notification sends and deliveries, assignments, decisions, payment outcomes, ...) no longer do.
-- Changing the flag of a type is a catalog change: the next nightly run recomputes every day within
-- raw retention (analytics.run_nightly_etl compares the list it last used with this one).

alter table public.event_schema_versions add column user_initiated boolean not null default false;
comment on column public.event_schema_versions.user_initiated is
  'True when the event shows the user doing something (placing an order, paying, calling, opening, listening, ...): only such events make a user active (DAU/WAU/MAU, first-seen days, cohorts).';

update public.event_schema_versions
set user_initiated = event_type in (
  'order_created', 'payment_attempted', 'call_started', 'notification_opened', 'notification_opted_out',
  'content_flagged', 'appeal_submitted', 'horoscope_listened');

-- The types the ETL counts as activity: the latest catalog version of each type decides.
create or replace function analytics.user_initiated_event_types()
returns text[]
language sql
stable
set search_path = ''
as $$
  select coalesce(array_agg(c.event_type order by c.event_type), '{}')
  from (
    select distinct on (v.event_type) v.event_type, v.user_initiated
    from public.event_schema_versions v
    order by v.event_type, v.version desc
  ) c
  where c.user_initiated
$$;
comment on function analytics.user_initiated_event_types() is
  'Event types whose latest catalog version is user_initiated, sorted: the events that make a user active.';
revoke all on function analytics.user_initiated_event_types() from public, anon, authenticated;
grant execute on function analytics.user_initiated_event_types() to service_role;

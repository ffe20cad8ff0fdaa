-- The one-row settings and state tables' rows (tables: supabase/schemas/reporting_time_zone.sql,
-- operations/settings.sql, etl/nightly.sql), after the event catalog's rows, which the nightly state
-- records.
-- The reporting time zone: UTC until the operator sets the deployment's zone
-- (analytics.set_reporting_time_zone, `npm run ops -- time-zone`).
insert into analytics.reporting_settings default values on conflict do nothing;
-- Operational settings at their defaults (nightly run at 02:00 local, no alert webhook).
insert into analytics.ops_settings default values on conflict do nothing;
-- The nightly state: the catalog's user-initiated types as they are now (so the first run does not
-- recompute raw retention for a catalog change), and the schedule's first run tomorrow after 02:00
-- local, as a daily 02:00 job would.
insert into analytics.etl_nightly_state (user_initiated_types, last_scheduled_today)
values (analytics.user_initiated_event_types(), analytics.reporting_today()) on conflict do nothing;

-- Operational settings (one row): when the nightly run starts, how long health waits for it, when a
-- running ETL job counts as stale, where alerts go and whether they are silenced. Changed with
-- `npm run ops -- health|alerts ...` (or plain SQL); read by analytics.health_report and the alerts.
create table analytics.ops_settings (
  singleton boolean primary key default true,
  nightly_run_at time not null default time '02:00',
  nightly_grace interval not null default interval '2 hours',
  stale_run_after interval not null default interval '6 hours',
  alert_webhook_url text,
  alerts_silenced_until timestamptz,
  alerts_silence_reason text,
  raw_retention_days integer not null default 90,
  updated_at timestamptz not null default now(),
  constraint ops_settings_singleton check (singleton),
  -- At most 20 hours: a day is then due before the end of the next day (latest_due_etl_day).
  constraint ops_settings_nightly_grace check (nightly_grace >= interval '0' and nightly_grace <= interval '20 hours'),
  constraint ops_settings_stale_run_after check (stale_run_after >= interval '5 minutes'),
  constraint ops_settings_alert_webhook_url check (alert_webhook_url ~ '^https?://[^\s]+$'),
  constraint ops_settings_alerts_silence_reason check (char_length(alerts_silence_reason) <= 200),
  -- At least the 90 days ingest accepts a late event for (docs/ingest.md), at most the 2 years
  -- metrics and activity are kept (a day computed from older events would be purged again).
  constraint ops_settings_raw_retention_days check (raw_retention_days between 90 and 730)
);

comment on table analytics.ops_settings is
  'Operational settings (one row): nightly run time and grace for health, stale bound for running ETL jobs, alert webhook and silence, raw event retention.';

comment on column analytics.ops_settings.singleton is 'Always true: the table holds one row.';

comment on column analytics.ops_settings.nightly_run_at is 'Time of day (reporting time zone) at which the nightly ETL run starts.';

comment on column analytics.ops_settings.nightly_grace is 'How long after nightly_run_at yesterday may still be uncomputed before health reports it (0 to 20 hours).';

comment on column analytics.ops_settings.stale_run_after is 'A running ETL job older than this counts as stale even when its session is alive.';

comment on column analytics.ops_settings.alert_webhook_url is 'Slack-compatible incoming webhook for health alerts; a Vault secret named analytics_alert_webhook_url takes precedence where Vault exists. Null: alerts are recorded, not sent.';

comment on column analytics.ops_settings.alerts_silenced_until is 'Until then, health state changes are neither recorded nor alerted (the next evaluation after it alerts if the state differs).';

comment on column analytics.ops_settings.alerts_silence_reason is 'Why alerts are silenced (free text, for the runbook).';

comment on column analytics.ops_settings.raw_retention_days is
  'How many UTC days of raw events (events_raw) the daily purge keeps, 90 to 730; the nightly run and rebuilds compute only days wholly within them. Longer keeps more days rebuildable.';

comment on column analytics.ops_settings.updated_at is 'When a setting last changed.';

alter table analytics.ops_settings enable row level security;

revoke all on analytics.ops_settings from public, anon, authenticated;

grant select, update on analytics.ops_settings to service_role;

-- Raw retention in UTC days (ops_settings.raw_retention_days): the purge's cutoff and the ETL's first day.
create or replace function analytics.raw_retention_days()
returns integer
language sql
stable
set search_path = ''
as $$
  select coalesce(max(o.raw_retention_days), 90) from analytics.ops_settings o
$$;
comment on function analytics.raw_retention_days() is
  'How many UTC days of raw events are kept (ops_settings.raw_retention_days; 90 without a settings row).';
revoke all on function analytics.raw_retention_days() from public, anon, authenticated;
grant execute on function analytics.raw_retention_days() to service_role;

-- The first local day whose events are all still stored (raw retention: analytics.raw_retention_days()).
create or replace function analytics.raw_retention_first_day(p_zone text default null)
returns date
language sql
stable
set search_path = ''
as $$
  select (((((now() at time zone 'UTC')::date - analytics.raw_retention_days())::timestamp at time zone 'UTC')
          at time zone coalesce(p_zone, analytics.reporting_time_zone()))::date + 1)
$$;
comment on function analytics.raw_retention_first_day(text) is
  'The first local day (in the given zone, default the reporting zone) lying wholly within raw retention (events_raw keeps analytics.raw_retention_days() UTC days, 90 by default).';
revoke all on function analytics.raw_retention_first_day(text) from public, anon, authenticated;
grant execute on function analytics.raw_retention_first_day(text) to service_role;

-- The one place that says when a day's metrics are due: the nightly run of the next local day at
-- nightly_run_at in the reporting time zone (docs/design.md §10.1), plus the grace. A run time that a
-- DST change skips maps to the hour after, as the hourly schedule then runs.
create or replace function analytics.etl_day_due_at(p_day date)
returns timestamptz
language sql
stable
set search_path = ''
as $$
  select ((p_day + 1) + s.nightly_run_at) at time zone analytics.reporting_time_zone() + s.nightly_grace
  from (
    select coalesce(max(o.nightly_run_at), time '02:00') as nightly_run_at,
           coalesce(max(o.nightly_grace), interval '2 hours') as nightly_grace
    from analytics.ops_settings o
  ) s
$$;

comment on function analytics.etl_day_due_at(date) is
  'When the metrics of a local day are due: the next day''s nightly run time (ops_settings.nightly_run_at, reporting time zone) plus ops_settings.nightly_grace.';

revoke all on function analytics.etl_day_due_at(date) from public, anon, authenticated;

grant execute on function analytics.etl_day_due_at(date) to service_role;

-- The latest local day whose metrics are due at p_now: yesterday once its due time has passed, otherwise
-- an earlier day (the grace is at most 20 hours, so three days back always suffices).
create or replace function analytics.latest_due_etl_day(p_now timestamptz default now())
returns date
language sql
stable
set search_path = ''
as $$
  select max(d.day)
  from (select (p_now at time zone analytics.reporting_time_zone())::date - g as day from generate_series(1, 3) as g) d
  where analytics.etl_day_due_at(d.day) <= p_now
$$;

comment on function analytics.latest_due_etl_day(timestamptz) is
  'The latest day whose metrics are due at p_now (analytics.etl_day_due_at): health expects it computed.';

revoke all on function analytics.latest_due_etl_day(timestamptz) from public, anon, authenticated;

grant execute on function analytics.latest_due_etl_day(timestamptz) to service_role;

-- The reporting time zone (docs/design.md §10.1): one IANA zone per deployment, kept here (default
-- UTC; SAMIA-TAROT production uses Asia/Riyadh). Day D is [D 00:00, D+1 00:00) local time in that
-- zone (23 or 25 hours on a DST change day) for everything that speaks of days: ETL day windows,
-- WAU/MAU, first-seen days and cohorts, the reader's 30-day window, health's "yesterday", the
-- runbook views. Month partitions and raw retention stay in UTC. Its row: ..._settings_rows.sql.

create table analytics.reporting_settings (
  singleton boolean primary key default true,
  time_zone text not null default 'UTC',
  changed_at timestamptz not null default now(),
  constraint reporting_settings_singleton check (singleton)
);
comment on table analytics.reporting_settings is
  'The reporting time zone of this deployment (one row). Change it with analytics.set_reporting_time_zone(zone).';
comment on column analytics.reporting_settings.singleton is 'Always true: the table holds one row.';
comment on column analytics.reporting_settings.time_zone is 'IANA time zone name in which metric days are local days.';
comment on column analytics.reporting_settings.changed_at is 'When the zone was last set.';
alter table analytics.reporting_settings enable row level security;
revoke all on analytics.reporting_settings from public, anon, authenticated;
grant select on analytics.reporting_settings to service_role;

-- PL/pgSQL, not SQL: a SQL function with a SET clause is parsed and planned again on every call,
-- while PL/pgSQL keeps its plan for the session (ingestion's late-day trigger calls it per statement).
create or replace function analytics.reporting_time_zone()
returns text
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return coalesce((select s.time_zone from analytics.reporting_settings s), 'UTC');
end;
$$;
comment on function analytics.reporting_time_zone() is
  'The reporting time zone (IANA name): metric dates are local dates in it. Policy helper (the runbook views and the reader window use it); reveals only the zone name, which every metrics response states.';
revoke all on function analytics.reporting_time_zone() from public, anon;
grant execute on function analytics.reporting_time_zone() to authenticated, service_role;

-- A policy helper (the reader's 30-day window), so authenticated may execute it; it reveals only
-- the date. security definer: authenticated cannot read the settings table.
create or replace function analytics.reporting_today()
returns date
language sql
stable
security definer
set search_path = ''
as $$
  select (now() at time zone analytics.reporting_time_zone())::date
$$;
comment on function analytics.reporting_today() is
  'Today''s date in the reporting time zone. Policy helper: call as (select analytics.reporting_today()).';
revoke all on function analytics.reporting_today() from public, anon;
grant execute on function analytics.reporting_today() to authenticated, service_role;

-- security definer: only the service role may call it, and it writes tables nobody else may.
create or replace function analytics.set_reporting_time_zone(p_zone text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_name text;
  v_old text;
  v_days bigint := 0;
begin
  -- IANA names only (case-insensitive, stored as the database spells them); not abbreviations or
  -- POSIX offsets, which Postgres would also accept.
  select z.name into v_name
  from pg_catalog.pg_timezone_names z
  where lower(z.name) = lower(btrim(p_zone)) and z.name not in ('Factory', 'posixrules', 'localtime')
  order by z.name = btrim(p_zone) desc
  limit 1;
  if v_name is null then
    raise exception using errcode = '22023',
      message = format('unknown time zone %s: use an IANA name such as Asia/Riyadh, Africa/Cairo or UTC',
        coalesce(quote_literal(left(p_zone, 64)), 'null'));
  end if;

  select s.time_zone into v_old from analytics.reporting_settings s for update;
  if v_old is distinct from v_name then
    update analytics.reporting_settings set time_zone = v_name, changed_at = now();
    -- Every computed day still within raw retention, in the new zone, and local yesterday.
    insert into analytics.etl_recompute_requests (metric_date, reason)
    select d::date, 'time_zone'
    from generate_series(analytics.raw_retention_first_day(v_name),
                         (now() at time zone v_name)::date - 1, interval '1 day') as d;
    get diagnostics v_days = row_count;
  end if;
  return jsonb_build_object('time_zone', v_name, 'previous', v_old, 'days_to_recompute', v_days);
end;
$$;
comment on function analytics.set_reporting_time_zone(text) is
  'Sets the reporting time zone (an IANA name; unknown names raise 22023 and change nothing) and asks the next nightly run to recompute every day within raw retention in it. Returns {time_zone, previous, days_to_recompute}.';
revoke all on function analytics.set_reporting_time_zone(text) from public, anon, authenticated;
grant execute on function analytics.set_reporting_time_zone(text) to service_role;

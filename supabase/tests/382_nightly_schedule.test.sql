-- The nightly schedule on UTC pg_cron (DESIGN.md §10.1): an hourly job whose call runs the nightly
-- ETL once per local day, at the first call at or after 02:00 local, across DST changes: the end of
-- summer time in Africa/Cairo (2026-10-29 has 25 hours) and its start in America/New_York
-- (2026-03-08 has 23 hours and no 02:00). Inside a transaction that is rolled back.
begin;
select plan(8);

select is((select schedule || ' ' || command from cron.job where jobname = 'analytics-nightly-etl'),
  '0 * * * * call analytics.run_scheduled_nightly_etl()', 'pg_cron calls the schedule every hour (the procedure shares analytics.nightly_run_due with the check tested here)');

create function pg_temp.hourly_calls(p_zone text, p_from timestamptz, p_to timestamptz)
returns table (local_day date, runs int, first_run time)
language plpgsql as $$
declare
  v_at timestamptz;
  v_result text;
begin
  perform analytics.set_reporting_time_zone(p_zone);
  update analytics.etl_nightly_state set last_scheduled_today = null, last_today = (p_from at time zone p_zone)::date;
  create temp table if not exists calls (at timestamptz, local_at timestamp, result text) on commit drop;
  delete from calls;
  for v_at in select g from generate_series(p_from, p_to, interval '1 hour') as g loop
    v_result := analytics.run_nightly_etl_if_due(v_at);
    insert into calls values (v_at, v_at at time zone p_zone, v_result);
  end loop;
  return query
  select c.local_at::date, (count(*) filter (where c.result = 'ran'))::int, min(c.local_at::time) filter (where c.result = 'ran')
  from calls c group by c.local_at::date order by 1;
end;
$$;

create temp table cairo as select * from pg_temp.hourly_calls('Africa/Cairo', '2026-10-26 22:00Z', '2026-10-31 23:00Z');
select is((select array_agg(runs order by local_day) from cairo where local_day between '2026-10-27' and '2026-10-31'),
  array[1, 1, 1, 1, 1], 'Cairo: one run per local day, the 25-hour day included');
select ok((select bool_and(first_run >= time '02:00' and first_run < time '03:00') from cairo where local_day between '2026-10-27' and '2026-10-31'),
  'Cairo: each run at the first hour at or after 02:00 local');
select is((select first_run from cairo where local_day = '2026-10-30'), time '02:00',
  'Cairo: the day after the change runs at 02:00 winter time (00:00 UTC)');

create temp table new_york as select * from pg_temp.hourly_calls('America/New_York', '2026-03-06 12:00Z', '2026-03-10 12:00Z');
select is((select array_agg(runs order by local_day) from new_york where local_day between '2026-03-07' and '2026-03-09'),
  array[1, 1, 1], 'New York: one run per local day, the 23-hour day included');
select is((select first_run from new_york where local_day = '2026-03-08'), time '03:00',
  'New York: on the day 02:00 does not exist the run is at 03:00');
select is((select first_run from new_york where local_day = '2026-03-09'), time '02:00',
  'New York: the next day at 02:00 again');
select is((select last_today from analytics.etl_nightly_state), date '2026-03-10',
  'each run computed its local yesterday');

select * from finish();
rollback;

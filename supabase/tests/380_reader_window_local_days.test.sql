-- The reader's 30-day window is in local days of the reporting time zone (DESIGN.md §10.1): with a
-- zone whose date differs from UTC's right now, local day -30 is visible and -31 is not, under
-- sessions in other TimeZone settings too; the UTC-day window would differ at both ends.
begin;
\ir helpers/personas.psql
select plan(12);

-- A zone whose local date is not today's UTC date at this moment: UTC+14 from 10:00 UTC on, else UTC-11.
select analytics.set_reporting_time_zone(
  case when extract(hour from now() at time zone 'UTC') >= 10 then 'Pacific/Kiritimati' else 'Pacific/Pago_Pago' end);
create temp table window_days as
select analytics.reporting_today() as local_today, (now() at time zone 'UTC')::date as utc_today;
grant select on window_days to authenticated;
select isnt((select local_today from window_days), (select utc_today from window_days),
  'the reporting zone''s date differs from the UTC date now');

-- Own rows on local days -29, -30, -31 and -32 (a window edge in either direction).
insert into public.metrics_daily_fulfillment (metric_date, service_code, reader_id, orders_created)
select (select local_today from window_days) - n, 'window-test', :reader_id::uuid, n
from unnest(array[29, 30, 31, 32]) as n;

select isnt((select count(*)::int from public.metrics_daily_fulfillment where service_code = 'window-test'
             and metric_date >= (select utc_today from window_days) - 30),
  2, 'a window of UTC days would hold a different set (the test tells the two apart)');

set local role authenticated;
select set_config('request.jwt.claims', tests.claims('reader', :reader_id), true);

create function pg_temp.visible_ages() returns int[] language sql as $$
  select coalesce(array_agg((select local_today from window_days) - metric_date order by metric_date desc), '{}')
  from public.metrics_daily_fulfillment where service_code = 'window-test'
$$;

select is(pg_temp.visible_ages(), array[29, 30], 'local days -29 and -30 are visible, -31 and -32 are not');

-- The same under other session time zones (the policy never reads the session TimeZone).
set local timezone = 'Pacific/Kiritimati';
select is(pg_temp.visible_ages(), array[29, 30], 'same rows with session TimeZone UTC+14');
set local timezone = 'Pacific/Pago_Pago';
select is(pg_temp.visible_ages(), array[29, 30], 'same rows with session TimeZone UTC-11');
set local timezone = 'America/Los_Angeles';
select is(pg_temp.visible_ages(), array[29, 30], 'same rows with session TimeZone America/Los_Angeles');
set local timezone = 'Asia/Riyadh';
select is(pg_temp.visible_ages(), array[29, 30], 'same rows with session TimeZone Asia/Riyadh');
reset timezone;

-- The policy helpers a reader's request may run, and nothing more.
select ok(has_function_privilege('authenticated', 'analytics.reporting_today()', 'execute'),
  'authenticated may run reporting_today() (the policy calls it)');
select ok(not has_function_privilege('authenticated', 'analytics.set_reporting_time_zone(text)', 'execute'),
  'authenticated may not change the zone');
select throws_ok($$ select analytics.set_reporting_time_zone('UTC') $$, '42501', null,
  'a reader''s request cannot change the zone');
reset role;

-- Another reader sees none of these rows.
set local role authenticated;
select set_config('request.jwt.claims', tests.claims('reader', :other_reader_id), true);
select is(pg_temp.visible_ages(), '{}'::int[], 'another reader sees none of them');
select is((select count(*)::int from public.metrics_daily_fulfillment where service_code = 'window-test' and reader_id is null), 0,
  'no total rows were involved');
reset role;

select * from finish();
rollback;

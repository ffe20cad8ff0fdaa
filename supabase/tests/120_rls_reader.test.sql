-- Persona: reader (app_metadata.role = reader). Own fulfillment rows of the last 30 UTC days only:
-- day -30 visible, -31 not; total rows (reader_id null) and other readers' rows never.
begin;
\ir helpers/personas.psql
select plan(8 + 8 + 1 + 27);

set local role authenticated;
select set_config('request.jwt.claims', tests.claims('reader', :reader_id), true);

select results_eq(
  $$ select (now() at time zone 'utc')::date - metric_date, service_code, reader_id
     from public.metrics_daily_fulfillment order by 1, 2 nulls last $$,
  format($$ values (0, 'tarot'::text, %L::uuid), (0, null, %L::uuid), (30, 'tarot', %L::uuid) $$,
    :reader_id, :reader_id, :reader_id),
  'reader reads exactly their own rows of today and day -30');
select is(tests.visible('public.metrics_daily_fulfillment'), 3::bigint, 'reader sees 3 fulfillment rows');
select is((select count(*) from public.metrics_daily_fulfillment where metric_date = (now() at time zone 'utc')::date - 30),
  1::bigint, 'day -30 (UTC) is inside the window');
select is((select count(*) from public.metrics_daily_fulfillment where metric_date = (now() at time zone 'utc')::date - 31),
  0::bigint, 'day -31 (UTC) is outside the window');
select is((select count(*) from public.metrics_daily_fulfillment where reader_id is null), 0::bigint,
  'total rows (reader_id null) are not the reader''s');
select is((select count(*) from public.metrics_daily_fulfillment where reader_id = :other_reader_id), 0::bigint,
  'another reader''s rows are invisible');

-- The window is in UTC days whatever the session TimeZone (UTC+14 and UTC-11 around now).
set local timezone = 'Pacific/Kiritimati';
select is(tests.visible('public.metrics_daily_fulfillment'), 3::bigint, 'same 3 rows with TimeZone UTC+14');
set local timezone = 'Pacific/Pago_Pago';
select is(tests.visible('public.metrics_daily_fulfillment'), 3::bigint, 'same 3 rows with TimeZone UTC-11');
reset timezone;

select * from tests.sees_nothing_else('reader', '{public.metrics_daily_fulfillment}');

-- Another reader sees only their own row.
select set_config('request.jwt.claims', tests.claims('reader', :other_reader_id), true);
select is(tests.visible('public.metrics_daily_fulfillment'), 1::bigint, 'the other reader sees only their one row');

select set_config('request.jwt.claims', tests.claims('reader', :reader_id), true);
select * from tests.cannot_write('reader');

select * from finish();
rollback;

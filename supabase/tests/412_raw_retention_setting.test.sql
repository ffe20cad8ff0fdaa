-- Raw retention is ops_settings.raw_retention_days (90 to 730): the purge's cutoff and the first day
-- the ETL computes both follow it. Rolled back.
begin;
select plan(6);

select throws_ok($$ update analytics.ops_settings set raw_retention_days = 89 $$, '23514', null,
  'fewer than the 90 days ingest accepts late events for are refused');
select throws_ok($$ update analytics.ops_settings set raw_retention_days = 731 $$, '23514', null,
  'more than the 2 years metrics are kept are refused');

update analytics.ops_settings set raw_retention_days = 200;
select is(analytics.raw_retention_days(), 200, 'the setting is the retention');
select is(analytics.raw_retention_first_day('UTC'), (now() at time zone 'UTC')::date - 199,
  'the first day wholly within raw retention follows it');

-- p_now 2031-03-01 12:00 UTC and 200 days: events from 2030-08-13 00:00 UTC are kept.
insert into public.events_raw (event_id, event_domain, event_type, event_timestamp) values
  ('00000000-0000-4000-8000-000000041201', 'moderation', 'content_flagged', '2030-08-12 23:59:59+00'),
  ('00000000-0000-4000-8000-000000041202', 'moderation', 'content_flagged', '2030-08-13 00:00:00+00');
select lives_ok($$ select analytics.purge_expired_data('2031-03-01 12:00+00') $$, 'purge_expired_data runs');
select set_eq(
  $$ select event_id::text from public.events_raw where event_id::text like '00000000-0000-4000-8000-0000000412%' $$,
  array['00000000-0000-4000-8000-000000041202'],
  'the purge keeps the 200 days and deletes the event a second before them');

select * from finish();
rollback;

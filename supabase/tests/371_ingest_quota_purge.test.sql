-- Quota rows are purged an hour after their window started, to the minute, by an hourly pg_cron job.
begin;
select plan(7);

select has_function('analytics', 'purge_ingest_quota', array['timestamp with time zone'], 'the purge function exists');

delete from analytics.ingest_rate_limits; -- the stack's own rows (rolled back)
insert into analytics.ingest_rate_limits (bucket, window_start, request_count, event_count) values
  ('pgtap:current', '2031-03-01 12:00+00', 1, 10),
  ('pgtap:an-hour-old', '2031-03-01 11:00+00', 1, 10),
  ('pgtap:61-minutes-old', '2031-03-01 10:59+00', 1, 10),
  ('pgtap:a-day-old', '2031-02-28 12:00+00', 1, 10),
  ('user:00000000-0000-4000-8000-0000000003a1', '2031-03-01 10:00+00', 1, 10);

select is(analytics.purge_ingest_quota('2031-03-01 12:00+00'), 3, 'three rows are past the hour');
select is(array(select bucket from analytics.ingest_rate_limits order by bucket), array['pgtap:an-hour-old', 'pgtap:current'],
  'rows whose window started at most an hour ago stay; older ones, a user''s included, are gone');
select is(analytics.purge_ingest_quota('2031-03-01 12:00+00'), 0, 'a second run finds nothing');
select is(analytics.purge_ingest_quota('2031-03-01 12:00:01+00'), 1, 'a second later the hour-old row goes too');

select is(
  (select row(schedule, command)::text from cron.job where jobname = 'analytics-purge-ingest-quota'),
  row('20 * * * *', 'select analytics.purge_ingest_quota()')::text,
  'pg_cron runs it hourly');
select ok(has_function_privilege('service_role', 'analytics.purge_ingest_quota(timestamptz)', 'execute'),
  'service_role can call it (180_function_privileges keeps everyone else out)');

select * from finish();
rollback;

-- The ingest quota: a fixed one-minute window per bucket, counted in one statement.
begin;
select plan(9);

select has_table('analytics', 'ingest_rate_limits', 'the quota table exists');
select has_function('analytics', 'consume_ingest_quota', array['text', 'integer', 'integer', 'integer', 'integer'], 'the quota function exists');

select is((select allowed from analytics.consume_ingest_quota('pgtap:quota', 1, 0, 2, 1000)), true, 'first request is allowed');
select is((select allowed from analytics.consume_ingest_quota('pgtap:quota', 1, 0, 2, 1000)), true, 'second request is allowed');
select is((select allowed from analytics.consume_ingest_quota('pgtap:quota', 1, 0, 2, 1000)), false, 'third request in the window is refused');
select ok((select retry_after_s between 1 and 60 from analytics.consume_ingest_quota('pgtap:quota', 1, 0, 2, 1000)), 'retry_after_s is within the window');

-- A window that has passed starts over at 1.
update analytics.ingest_rate_limits set window_start = window_start - interval '2 minutes' where bucket = 'pgtap:quota';
select is((select request_count from analytics.consume_ingest_quota('pgtap:quota', 1, 0, 2, 1000)), 1, 'a new window starts counting at 1');

select ok(
  not has_function_privilege('authenticated', 'analytics.consume_ingest_quota(text, integer, integer, integer, integer)', 'execute')
  and not has_function_privilege('anon', 'analytics.consume_ingest_quota(text, integer, integer, integer, integer)', 'execute'),
  'anon and authenticated cannot call it');

-- Unlogged: the quota transaction commits without a WAL flush (supabase/schemas/ingest.sql).
select is((select relpersistence from pg_class where oid = 'analytics.ingest_rate_limits'::regclass), 'u'::"char",
  'the counters are unlogged');

select * from finish();
rollback;

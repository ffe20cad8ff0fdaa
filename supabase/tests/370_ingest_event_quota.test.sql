-- The ingest quota counts requests and events per bucket, against both limits, in one statement:
-- a batch that would pass the event limit counts nothing, each bucket counts on its own, a new
-- minute starts over and a late transaction does not reset a newer window.
begin;
select plan(18);

select has_column('analytics', 'ingest_rate_limits', 'event_count', 'the quota table counts events');
select has_function('analytics', 'consume_ingest_quota', array['text', 'integer', 'integer', 'integer', 'integer'],
  'the request and event quota function exists');

-- Limits here: 3 requests, 2000 events a minute.
create function pg_temp.consume(p_bucket text, p_requests integer, p_events integer)
returns table (allowed boolean, request_count integer, event_count integer)
language sql as $$ select allowed, request_count, event_count from analytics.consume_ingest_quota(p_bucket, p_requests, p_events, 3, 2000) $$;

select is((select row(allowed, request_count, event_count)::text from pg_temp.consume('pgtap:a', 1, 0)), '(t,1,0)',
  'a request is counted before its body');
select is((select row(allowed, request_count, event_count)::text from pg_temp.consume('pgtap:a', 0, 1000)), '(t,1,1000)',
  'a batch of 1000 events is counted');
select is((select row(allowed, request_count, event_count)::text from pg_temp.consume('pgtap:a', 0, 1000)), '(t,1,2000)',
  'a second batch reaches the event limit exactly');
select is((select row(allowed, request_count, event_count)::text from pg_temp.consume('pgtap:a', 0, 1)), '(f,,)',
  'one event more is refused');
select is((select row(request_count, event_count)::text from analytics.ingest_rate_limits where bucket = 'pgtap:a'), '(1,2000)',
  'a refused batch counts nothing');

select is((select row(allowed, request_count, event_count)::text from pg_temp.consume('pgtap:b', 1, 0)), '(t,1,0)',
  'another bucket counts on its own');
select is((select row(allowed, event_count)::text from pg_temp.consume('pgtap:b', 0, 1500)), '(t,1500)', 'a batch that fits is taken');
select is((select allowed from pg_temp.consume('pgtap:b', 0, 1000)), false, 'a batch that would pass the limit is refused whole');
select is((select event_count from analytics.ingest_rate_limits where bucket = 'pgtap:b'), 1500, 'and leaves the count as it was');
select is((select allowed from pg_temp.consume('pgtap:c', 0, 2001)), false, 'a batch over the whole limit is refused in a new bucket too');
select is((select count(*)::integer from analytics.ingest_rate_limits where bucket = 'pgtap:c'), 0, 'without creating its row');

select is(array(select allowed from pg_temp.consume('pgtap:b', 1, 0) union all select allowed from pg_temp.consume('pgtap:b', 1, 0)
                union all select allowed from pg_temp.consume('pgtap:b', 1, 0)), array[true, true, false],
  'the request limit holds as before');

-- A past window starts over; a newer window (a transaction that began before the minute turned,
-- committing after a later one) is counted into, not reset.
update analytics.ingest_rate_limits set window_start = window_start - interval '1 minute' where bucket = 'pgtap:a';
select is((select row(allowed, request_count, event_count)::text from pg_temp.consume('pgtap:a', 0, 700)), '(t,0,700)',
  'a new minute starts counting afresh');
update analytics.ingest_rate_limits set window_start = window_start + interval '1 minute' where bucket = 'pgtap:a';
select is((select row(allowed, request_count, event_count)::text from pg_temp.consume('pgtap:a', 1, 100)), '(t,1,800)',
  'a late transaction counts into the newer window');
select ok((select window_start > date_trunc('minute', now()) from analytics.ingest_rate_limits where bucket = 'pgtap:a'),
  'and keeps it');

select ok(has_function_privilege('service_role', 'analytics.consume_ingest_quota(text, integer, integer, integer, integer)', 'execute'),
  'service_role can call it (180_function_privileges keeps everyone else out)');

select * from finish();
rollback;

-- Partition DDL bounds its lock waits (ingestion must never queue behind it for long): partition
-- creation waits at most 500 ms for a lock, and the purge reports the partitions it could not drop.
begin;
select plan(4);

select ok((select 'lock_timeout=500ms' = any(proconfig) from pg_proc where oid = 'analytics.create_events_partition(date)'::regprocedure),
  'create_events_partition waits at most 500 ms for each lock');
select ok((select 'search_path=""' = any(proconfig) from pg_proc where oid = 'analytics.create_events_partition(date)'::regprocedure),
  'and keeps its empty search_path');

-- An expired partition, dropped by the purge (nothing else holds events_raw here).
select analytics.create_events_partition((now() - interval '6 months')::date) as old_partition \gset
select analytics.purge_expired_data() as result \gset
select ok((:'result'::jsonb -> 'dropped_partitions') ? :'old_partition', 'the purge drops an expired partition');
select is(:'result'::jsonb -> 'deferred_partitions', '[]'::jsonb, 'and defers none when events_raw is free');

select * from finish();
rollback;

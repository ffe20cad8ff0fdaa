-- BRIN summaries (supabase/schemas/etl/pipeline.sql): rows stored after the last summary leave
-- unsummarized ranges, analytics.summarize_events_brin summarizes them (and only them), and the
-- pipeline does it first even when it runs as service_role, which owns no partition.
begin;
select plan(9);

-- A BRIN build always summarizes the range at block 0 (even of an empty partition), and inserts
-- keep a summarized range up to date: only the ranges after it (128 pages each) can be unsummarized,
-- so every insert here spans more than 128 pages.
select analytics.create_events_partition('2033-01-01') as partition \gset
insert into public.events_raw (event_domain, event_type, event_timestamp, entity_id)
select 'orders', 'order_created', '2033-01-15 00:00+00'::timestamptz + make_interval(secs => i), 'o-brin-' || i
from generate_series(1, 30000) as i;

select ok(analytics.summarize_events_brin('2033-01-01', '2033-02-01') >= 1, 'new rows leave unsummarized ranges, which it summarizes');
select is(analytics.summarize_events_brin('2033-01-01', '2033-02-01'), 0::bigint, 'a second call finds nothing left to summarize');

-- New ranges (128 pages each): the partition was created in this transaction, so nothing but
-- these calls can have summarized it.
select ceil(pg_relation_size(:'partition') / 8192.0 / 128) as ranges_before \gset
insert into public.events_raw (event_domain, event_type, event_timestamp, entity_id)
select 'orders', 'order_created', '2033-01-20 00:00+00'::timestamptz + make_interval(secs => i), 'o-brin-late-' || i
from generate_series(1, 30000) as i;
select ok(ceil(pg_relation_size(:'partition') / 8192.0 / 128) > :ranges_before, 'the late rows fill new, unsummarized ranges');

set local role service_role;
select is(analytics.run_daily_etl_pipeline('2033-01-20'), 'succeeded', 'the pipeline succeeds as service_role');
reset role;
select is(analytics.summarize_events_brin('2033-01-01', '2033-02-01'), 0::bigint, 'the pipeline summarized the new range before its jobs');
select is(
  (select orders_created from public.metrics_daily_fulfillment where metric_date = '2033-01-20' and service_code is null and reader_id is null),
  30000::bigint, 'and its jobs saw the day''s events');

-- Only the partitions a day reads: a partition outside [p_from, p_to) keeps its new ranges.
select analytics.create_events_partition('2033-03-01') as other \gset
insert into public.events_raw (event_domain, event_type, event_timestamp, entity_id)
select 'orders', 'order_created', '2033-03-05 00:00+00'::timestamptz + make_interval(secs => i), 'o-brin-other-' || i
from generate_series(1, 30000) as i;
select is(analytics.summarize_events_brin('2033-01-01', '2033-02-01'), 0::bigint, 'partitions outside the range are not summarized');
select ok(analytics.summarize_events_brin('2033-03-05', '2033-03-06') >= 1, 'the partition of the range is');

select is(
  (select prosecdef from pg_proc where oid = 'analytics.summarize_events_brin(timestamptz, timestamptz)'::regprocedure), true,
  'summarize_events_brin runs as its owner (brin_summarize_new_values needs the index owner)');

select * from finish();
rollback;

-- A user's events are found by index, in every partition (erasure, subject-access export): the
-- partitioned indexes on user_id and metadata.reader_id reach each partition, including one created
-- later, and the lookups as erase_user and export_user write them need no sequential scan.
begin;
select plan(8);

\ir helpers/plans.psql

select analytics.create_events_partition('2034-01-01') as new_partition \gset

select is(pg_temp.partitions_without('public.events_raw_user_id_idx'), '{}', 'every partition has the user_id index, a new one too');
select is(pg_temp.partitions_without('public.events_raw_reader_id_idx'), '{}', 'every partition has the reader_id index, a new one too');
select isnt(obj_description('public.events_raw_user_id_idx'::regclass, 'pg_class'), null, 'the user_id index is documented');
select isnt(obj_description('public.events_raw_reader_id_idx'::regclass, 'pg_class'), null, 'the reader_id index is documented');

-- Whatever the (tiny) test tables' statistics say, the plans must be able to avoid reading them whole.
set local enable_seqscan = off;
select unalike(pg_temp.plan_of($$ delete from public.events_raw_default where user_id = 'a0000000-0000-4000-8000-0000000000e1' $$),
  '%Seq Scan%', 'erase_user''s per-partition delete needs no sequential scan');
select unalike(pg_temp.plan_of($$ update public.events_raw set metadata = metadata - 'reader_id'
    where metadata ->> 'reader_id' = 'a0000000-0000-4000-8000-0000000000e1' $$),
  '%Seq Scan%', 'erase_user''s reader scrub needs no sequential scan in any partition');
select unalike(pg_temp.plan_of($$ select * from public.events_raw t where user_id = 'a0000000-0000-4000-8000-0000000000e1' $$),
  '%Seq Scan%', 'export_user''s lookup of events needs no sequential scan in any partition');
select alike(pg_temp.plan_of($$ select * from public.events_raw t where user_id = 'a0000000-0000-4000-8000-0000000000e1' $$),
  '%user_id_idx%', 'and uses the user_id index');

select * from finish();
rollback;

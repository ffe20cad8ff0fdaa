-- A late event stored among another day's rows leaves other days' scans alone (supabase/schemas/
-- events.sql: BRIN minmax-multi on event_timestamp). Day X's rows fill the first ranges of a
-- partition with one event of day Y (later) among them, then day Z (between X and Y) follows. With
-- plain minmax, the first range's summary would be the interval [X, Y], which holds Z: Z's scan
-- would read it too. minmax-multi keeps Y apart, so Z's scan reads only the ranges that hold Z.
begin;
select plan(2);

select analytics.create_events_partition('2034-01-01') as partition \gset
insert into public.events_raw (event_domain, event_type, event_timestamp, entity_id)
select 'orders', 'order_created',
  case when i = 3000 then '2034-01-25 12:00+00'::timestamptz else '2034-01-05 00:00+00'::timestamptz + make_interval(secs => i) end,
  'o-brin-x-' || i
from generate_series(1, 20000) as i;  -- two ranges and more (128 pages each)
insert into public.events_raw (event_domain, event_type, event_timestamp, entity_id)
select 'orders', 'order_created', '2034-01-15 00:00+00'::timestamptz + make_interval(secs => i), 'o-brin-z-' || i
from generate_series(1, 7000) as i;
select analytics.summarize_events_brin('2034-01-01', '2034-02-01');

-- The heap pages a bitmap scan through the BRIN index visits for a query.
create function pg_temp.heap_blocks_read(q text) returns bigint language plpgsql as $$
declare
  plan jsonb;
begin
  set local enable_seqscan = off;
  execute 'explain (analyze, format json) ' || q into plan;
  return (select sum(b::bigint) from jsonb_path_query(plan, 'strict $.**."Lossy Heap Blocks"') as b);
end;
$$;

-- The range that holds day Y's event holds day X's rows and none of day Z's.
select is(
  (select array_agg(distinct (e.event_timestamp at time zone 'UTC')::date order by (e.event_timestamp at time zone 'UTC')::date) from :partition as e
   where ((e.ctid::text)::point)[0]::int / 128 = (
     select ((y.ctid::text)::point)[0]::int / 128 from :partition as y
     where y.event_timestamp >= '2034-01-25' and y.event_timestamp < '2034-01-26')),
  array['2034-01-05', '2034-01-25']::date[],
  'day Y''s one event lies among day X''s rows');
-- Pages of the 128-page ranges that hold a row of day Z: what its scan has to read.
select is(
  pg_temp.heap_blocks_read($q$select count(*) from public.events_raw
    where event_timestamp >= '2034-01-15' and event_timestamp < '2034-01-16'$q$),
  (select count(*) from generate_series(0, pg_relation_size(:'partition'::regclass) / 8192 - 1) as b
   where b / 128 in (select distinct ((ctid::text)::point)[0]::int / 128 from :partition
                     where event_timestamp >= '2034-01-15' and event_timestamp < '2034-01-16')),
  'day Z''s scan reads only the ranges that hold day Z''s rows, not the one with day Y''s late event');

select * from finish();
rollback;

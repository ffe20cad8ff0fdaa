-- The ETL's lookups of a few events among many go through their own indexes, in every partition
-- (supabase/schemas/etl): the opt-out links read a user's notification sends and opt-outs
-- (events_raw_opt_out_user_idx), not every event of the user (events_raw_user_id_idx); the content
-- job reads the day's horoscope events (events_raw_horoscope_time_idx), not the whole day; the
-- nightly run finds a marked day's new events by when they were stored (events_raw_ingested_at_brin).
begin;
select plan(9);

\ir helpers/plans.psql

select analytics.create_events_partition('2034-01-01') as partition \gset
-- A user with many events of other kinds and a few sends and opt-outs, as users have, and a day
-- with a few horoscope events among many others.
insert into public.events_raw (event_domain, event_type, event_timestamp, user_id, entity_id)
select case when i % 10 = 0 then 'notifications' when i % 1000 = 1 then 'content' else 'orders' end,
  case when i % 20 = 0 then 'notification_opted_out' when i % 10 = 0 then 'notification_sent'
       when i % 1000 = 1 then 'horoscope_uploaded' else 'order_created' end,
  '2034-01-05 00:00+00'::timestamptz + make_interval(secs => i),
  case when i % 100 = 0 then 'a0000000-0000-4000-8000-0000000000f1'::uuid else gen_random_uuid() end,
  'o-partial-' || i
from generate_series(1, 20000) as i;
analyze :partition;

select is(pg_temp.partitions_without('public.events_raw_opt_out_user_idx'), '{}', 'every partition has the opt-out index, a new one too');
select is(pg_temp.partitions_without('public.events_raw_horoscope_time_idx'), '{}', 'every partition has the horoscope index, a new one too');
select is(pg_temp.partitions_without('public.events_raw_ingested_at_brin'), '{}', 'every partition has the ingested_at BRIN, a new one too');
select is(
  (select count(*)::int from pg_class c
   where c.oid in ('public.events_raw_opt_out_user_idx'::regclass, 'public.events_raw_horoscope_time_idx'::regclass,
                   'public.events_raw_ingested_at_brin'::regclass)
     and obj_description(c.oid, 'pg_class') is not null),
  3, 'all three are documented');

-- The lookups as analytics.recompute_opt_out_links and analytics.write_content_metrics write them.
select pg_temp.plan_of($q$
    select e.user_id, e.event_type, e.event_timestamp from public.events_raw e
    where e.user_id = any(array['a0000000-0000-4000-8000-0000000000f1']::uuid[]) and e.event_domain = 'notifications'
      and e.event_type in ('notification_sent', 'notification_opted_out') and e.event_timestamp < '2034-02-01'$q$) as opt_out_plan \gset
select matches(:'opt_out_plan'::text, ' ' || pg_temp.index_in_partition('public.events_raw_opt_out_user_idx', :'partition') || '\M',
  'the opt-out lookup uses the opt-out index in the partition');
select doesnt_match(:'opt_out_plan'::text, ' ' || pg_temp.index_in_partition('public.events_raw_user_id_idx', :'partition') || '\M',
  'not the index of all the user''s events');
select pg_temp.plan_of($q$
    select e.entity_id, e.event_type, e.event_timestamp from public.events_raw e
    where e.event_timestamp >= '2034-01-05' and e.event_timestamp < '2034-01-06' and e.event_domain = 'content'
      and e.event_type in ('horoscope_uploaded', 'horoscope_approved', 'horoscope_rejected', 'horoscope_published')$q$) as content_plan \gset
select matches(:'content_plan'::text, ' ' || pg_temp.index_in_partition('public.events_raw_horoscope_time_idx', :'partition') || '\M',
  'the content job''s day scan uses the horoscope index in the partition');
select doesnt_match(:'content_plan'::text, 'Seq Scan on ' || :'partition' || '\M', 'and does not read the partition whole');

-- The new events of a marked day, as analytics.etl_process_prepare looks them up (the ingested_at
-- values of its marks, and their first and last): a plan that need not read the day whole.
set local enable_seqscan = off;
select matches(pg_temp.plan_of($q$
    select e.entity_id from public.events_raw e
    where e.event_timestamp >= '2034-01-05' and e.event_timestamp < '2034-01-06'
      and e.ingested_at = any(array['2034-01-07 10:00+00', '2034-01-07 11:00+00']::timestamptz[])
      and e.ingested_at >= '2034-01-07 10:00+00' and e.ingested_at <= '2034-01-07 11:00+00'$q$),
  ' ' || pg_temp.index_in_partition('public.events_raw_ingested_at_brin', :'partition') || '\M',
  'a marked day''s new events are found through the ingested_at BRIN in the partition');

select * from finish();
rollback;

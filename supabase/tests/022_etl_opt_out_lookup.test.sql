-- The opt-out links read a user's notification sends and opt-outs through their partial index
-- (supabase/schemas/etl/shares.sql: events_raw_opt_out_user_idx), in every partition, not every
-- event of the user through events_raw_user_id_idx.
begin;
select plan(4);

create function pg_temp.plan_of(p_query text) returns text language plpgsql volatile as $$
declare
  v_line text;
  v_plan text := '';
begin
  for v_line in execute 'explain (costs off) ' || p_query loop
    v_plan := v_plan || v_line || E'\n';
  end loop;
  return v_plan;
end $$;

select analytics.create_events_partition('2034-01-01') as partition \gset
-- A user with many events of other kinds and a few sends and opt-outs, as users have.
insert into public.events_raw (event_domain, event_type, event_timestamp, user_id, entity_id)
select case when i % 10 = 0 then 'notifications' else 'orders' end,
  case when i % 20 = 0 then 'notification_opted_out' when i % 10 = 0 then 'notification_sent' else 'order_created' end,
  '2034-01-05 00:00+00'::timestamptz + make_interval(secs => i),
  case when i % 100 = 0 then 'a0000000-0000-4000-8000-0000000000f1'::uuid else gen_random_uuid() end,
  'o-opt-' || i
from generate_series(1, 20000) as i;
analyze :partition;

select is(
  (select coalesce(array_agg(p.inhrelid::regclass::text), '{}') from pg_inherits p
   where p.inhparent = 'public.events_raw'::regclass
     and not exists (select 1 from pg_inherits x join pg_index i on i.indexrelid = x.inhrelid
                     where x.inhparent = 'public.events_raw_opt_out_user_idx'::regclass and i.indrelid = p.inhrelid)),
  '{}', 'every partition has the opt-out index, a new one too');
select isnt(obj_description('public.events_raw_opt_out_user_idx'::regclass, 'pg_class'), null, 'the opt-out index is documented');

-- The partition's own indexes of the two (their names are made up when a partition is attached).
select c.relname as opt_out_index from pg_inherits x join pg_index i on i.indexrelid = x.inhrelid join pg_class c on c.oid = x.inhrelid
where x.inhparent = 'public.events_raw_opt_out_user_idx'::regclass and i.indrelid = :'partition'::regclass \gset
select c.relname as user_index from pg_inherits x join pg_index i on i.indexrelid = x.inhrelid join pg_class c on c.oid = x.inhrelid
where x.inhparent = 'public.events_raw_user_id_idx'::regclass and i.indrelid = :'partition'::regclass \gset

-- The lookup as analytics.recompute_opt_out_links writes it.
select pg_temp.plan_of($q$
    select e.user_id, e.event_type, e.event_timestamp from public.events_raw e
    where e.user_id = any(array['a0000000-0000-4000-8000-0000000000f1']::uuid[]) and e.event_domain = 'notifications'
      and e.event_type in ('notification_sent', 'notification_opted_out') and e.event_timestamp < '2034-02-01'$q$) as lookup_plan \gset
select matches(:'lookup_plan'::text, ' ' || :'opt_out_index' || '\M', 'the opt-out lookup uses the opt-out index in the partition');
select doesnt_match(:'lookup_plan'::text, ' ' || :'user_index' || '\M', 'not the index of all the user''s events');

select * from finish();
rollback;

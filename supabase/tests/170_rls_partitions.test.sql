-- Partitions of events_raw queried directly: RLS on, no grants, so nobody bypasses the parent's
-- rules, including a partition created after the access-control migration.
begin;
\ir helpers/personas.psql

select analytics.create_events_partition('2031-05-01') as new_partition \gset
insert into public.events_raw (event_domain, event_type, event_timestamp, user_id)
values ('content', 'horoscope_listened', '2031-05-10 12:00+00', :client_id);

create function tests.events_partitions() returns setof regclass language sql stable as $$
  select inhrelid::regclass from pg_inherits where inhparent = 'public.events_raw'::regclass order by 1
$$;
grant execute on function tests.events_partitions() to anon, authenticated;
select count(*) as partitions from tests.events_partitions() \gset

select plan(4 + 3 * :partitions + 1);

select ok((select relrowsecurity from pg_class where relname = :'new_partition'), 'a partition created later has RLS enabled');
select is(
  (select count(*) from tests.events_partitions() as p where not (select relrowsecurity from pg_class where oid = p)),
  0::bigint, 'every events_raw partition has RLS enabled');
select is(
  array(select format('%s: %s', p, r) from tests.events_partitions() as p, unnest(array['anon', 'authenticated']) as r
        where has_table_privilege(r, p, 'select,insert,update,delete,truncate,references,trigger')
           or has_any_column_privilege(r, p, 'select,insert,update,references')),
  '{}'::text[], 'no partition grants anything to anon or authenticated');
select is((select count(*) from pg_policies where tablename = :'new_partition'), 0::bigint,
  'the new partition has no policy (nothing could open it)');

set local role authenticated;
select set_config('request.jwt.claims', tests.claims('admin', :admin_id), true);
select throws_ok(format('select * from %s', p), '42501', null, format('admin cannot select from partition %s directly', p))
from tests.events_partitions() as p;
select is(tests.visible('public.events_raw'), 3::bigint, 'admin reads the new partition''s rows through the parent');

select set_config('request.jwt.claims', tests.claims('reader', :reader_id), true);
select throws_ok(format('select * from %s', p), '42501', null, format('reader cannot select from partition %s directly', p))
from tests.events_partitions() as p;

reset role;
set local role anon;
select throws_ok(format('select * from %s', p), '42501', null, format('anon cannot select from partition %s directly', p))
from tests.events_partitions() as p;

select * from finish();
rollback;

-- The erasure gate: ingest transactions hold ROW EXCLUSIVE on analytics.erasure_gate,
-- erase_user SHARE, so they exclude each other and ingest transactions do not. Only the functions
-- take the gate: no API role may lock or read the table itself, and each function is documented,
-- runs with an empty search_path and bounds its wait.
begin;
select plan(17);

create function pg_temp.gate_lock_modes() returns text[] language sql volatile as $$
  select coalesce(array_agg(l.mode order by l.mode), '{}') from pg_locks l
  where l.relation = 'analytics.erasure_gate'::regclass and l.pid = pg_backend_pid() and l.granted
$$;
create function pg_temp.config_of(p_function regprocedure) returns text[] language sql stable as $$
  select coalesce(proconfig, '{}') from pg_proc where oid = p_function
$$;

select has_table('analytics', 'erasure_gate', 'the gate table exists');
select isnt(obj_description('analytics.erasure_gate'::regclass, 'pg_class'), null, 'the gate table is documented');
select ok((select relrowsecurity from pg_class where oid = 'analytics.erasure_gate'::regclass), 'the gate table has RLS enabled');
select ok(not has_table_privilege(r, 'analytics.erasure_gate', 'select, insert, update, delete, truncate'),
  r || ' has no privilege on the gate table (only its owner can lock it)')
from unnest(array['anon', 'authenticated', 'service_role']) as r;

select ok(p.prosecdef and 'search_path=""' = any(pg_temp.config_of(p.oid::regprocedure)), p.oid::regprocedure || ' is security definer with an empty search_path')
from pg_proc p
where p.oid in ('analytics.hold_off_erasures()'::regprocedure, 'analytics.suppression_list_for_batch(text, integer)'::regprocedure);
select ok('lock_timeout=1s' = any(pg_temp.config_of('analytics.hold_off_erasures()')), 'an ingest waits at most 1 s for the gate');
select isnt(obj_description(f, 'pg_proc'), null, f || ' is documented')
from unnest(array['analytics.hold_off_erasures()'::regprocedure, 'analytics.suppression_list_for_batch(text, integer)'::regprocedure]) as f;

-- As the ingest function runs: service_role.
set local role service_role;
select set_config('request.jwt.claims', '{"role":"service_role"}', true);
select analytics.hold_off_erasures();
select is(pg_temp.gate_lock_modes(), array['RowExclusiveLock'], 'hold_off_erasures keeps ROW EXCLUSIVE on the gate');
select is(
  (select version from analytics.suppression_list_for_batch('', 0)),
  (select version::text from analytics.suppression_list_version),
  'suppression_list_for_batch returns the current version');
select is(
  (select hashes from analytics.suppression_list_for_batch('', 1000000)),
  array(select encode(s.subject_hash, 'hex') from analytics.erased_subjects s),
  'and the list when the version differs from the known one');
select is(
  (select hashes from analytics.suppression_list_for_batch((select version::text from analytics.suppression_list_version), 1000000)),
  null, 'and no list when the known version is current');
select throws_ok($$ lock table analytics.erasure_gate in share mode $$, '42501', null, 'service_role cannot take the gate itself');
reset role;

-- The erasure's side (rolled back with the test).
select analytics.erase_user('a0000000-0000-4000-8000-0000000000e1') is not null as erased \gset
select ok('ShareLock' = any(pg_temp.gate_lock_modes()), 'erase_user holds SHARE on the gate to the end of its transaction');

select * from finish();
rollback;

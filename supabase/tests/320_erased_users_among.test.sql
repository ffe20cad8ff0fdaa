-- analytics.erased_users_among: ingestion's one-call check of a batch against the suppression list
-- agrees with analytics.subject_hash, the hash the list is written with.
begin;
select plan(5);

delete from analytics.erased_subjects;
select is((select count(*)::int from analytics.erased_users_among(array['a0000000-0000-4000-8000-000000000001']::uuid[])), 0,
  'an empty list erases nobody');

insert into analytics.erased_subjects (subject_hash)
values (analytics.subject_hash('a0000000-0000-4000-8000-000000000001')), (analytics.subject_hash('a0000000-0000-4000-8000-000000000003'));
select set_eq(
  $$ select * from analytics.erased_users_among(array['a0000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-000000000002',
       'a0000000-0000-4000-8000-000000000003', null]::uuid[]) $$,
  array['a0000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-000000000003']::uuid[],
  'exactly the erased users of the array are returned');
select is((select count(*)::int from analytics.erased_users_among('{}'::uuid[])), 0, 'an empty array gives nothing');

-- As the ingest function calls it: service_role, as PostgREST would set it.
set local role service_role;
select set_config('request.jwt.claims', '{"role":"service_role"}', true);
select set_eq(
  $$ select * from analytics.erased_users_among(array['a0000000-0000-4000-8000-000000000003']::uuid[]) $$,
  array['a0000000-0000-4000-8000-000000000003']::uuid[],
  'service_role can call it (it reads the key it cannot read itself)');
reset role;

set local role authenticated;
select throws_ok(
  $$ select * from analytics.erased_users_among(array['a0000000-0000-4000-8000-000000000003']::uuid[]) $$,
  '42501', null, 'authenticated cannot call it');
reset role;

select * from finish();
rollback;

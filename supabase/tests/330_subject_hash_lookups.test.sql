-- analytics.subject_hashes and analytics.erased_subjects_among: ingestion caches each user's hash
-- and checks batches by hash, so both must agree with analytics.subject_hash, the hash the
-- suppression list is written with, and only service_role may call them.
begin;
select plan(8);

select set_eq(
  $$ select user_id, subject_hash from analytics.subject_hashes(array['a0000000-0000-4000-8000-000000000001', null,
       'a0000000-0000-4000-8000-000000000002']::uuid[]) $$,
  $$ values ('a0000000-0000-4000-8000-000000000001'::uuid, analytics.subject_hash('a0000000-0000-4000-8000-000000000001')),
            ('a0000000-0000-4000-8000-000000000002'::uuid, analytics.subject_hash('a0000000-0000-4000-8000-000000000002')) $$,
  'subject_hashes gives analytics.subject_hash of each user and skips nulls');
select is((select count(*)::int from analytics.subject_hashes('{}'::uuid[])), 0, 'no users, no hashes');

delete from analytics.erased_subjects;
select is((select count(*)::int from analytics.erased_subjects_among(array[analytics.subject_hash('a0000000-0000-4000-8000-000000000001')])), 0,
  'an empty list erases nobody');

insert into analytics.erased_subjects (subject_hash)
values (analytics.subject_hash('a0000000-0000-4000-8000-000000000001')), (analytics.subject_hash('a0000000-0000-4000-8000-000000000003'));
select set_eq(
  $$ select * from analytics.erased_subjects_among(array(
       select h.subject_hash from analytics.subject_hashes(array['a0000000-0000-4000-8000-000000000001',
         'a0000000-0000-4000-8000-000000000002', 'a0000000-0000-4000-8000-000000000003']::uuid[]) as h)) $$,
  array[analytics.subject_hash('a0000000-0000-4000-8000-000000000001'), analytics.subject_hash('a0000000-0000-4000-8000-000000000003')],
  'erased_subjects_among gives exactly the listed hashes');
select is((select count(*)::int from analytics.erased_subjects_among('{}'::bytea[])), 0, 'no hashes, nothing erased');

-- As the ingest function calls them: service_role, as PostgREST would set it.
set local role service_role;
select set_config('request.jwt.claims', '{"role":"service_role"}', true);
select set_eq(
  $$ select * from analytics.erased_subjects_among(array(
       select h.subject_hash from analytics.subject_hashes(array['a0000000-0000-4000-8000-000000000003']::uuid[]) as h)) $$,
  array[analytics.subject_hash('a0000000-0000-4000-8000-000000000003')],
  'service_role can call both (they read what it cannot read itself)');
reset role;

set local role authenticated;
select throws_ok($$ select * from analytics.subject_hashes(array['a0000000-0000-4000-8000-000000000003']::uuid[]) $$,
  '42501', null, 'authenticated cannot call subject_hashes');
select throws_ok($$ select * from analytics.erased_subjects_among('{}'::bytea[]) $$,
  '42501', null, 'authenticated cannot call erased_subjects_among');
reset role;

select * from finish();
rollback;

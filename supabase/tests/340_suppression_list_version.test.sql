-- analytics.suppression_list_version: ingestion keeps a copy of the suppression list per isolate
-- and reloads it when this version changes, so every way of changing the list must renew it, and
-- service_role may read it but not write it.
begin;
select plan(11);

select is((select count(*)::int from analytics.suppression_list_version), 1, 'the version table holds one row');
select version as v_start from analytics.suppression_list_version \gset

insert into analytics.erased_subjects (subject_hash) values (analytics.subject_hash('a0000000-0000-4000-8000-000000000001'));
select version as v_insert from analytics.suppression_list_version \gset
select isnt(:'v_insert'::uuid, :'v_start'::uuid, 'an insert renews the version');
select is((select subjects from analytics.suppression_list_version), (select count(*)::int from analytics.erased_subjects),
  'subjects counts the list');

update analytics.erased_subjects set erased_at = now() - interval '1 day';
select version as v_update from analytics.suppression_list_version \gset
select isnt(:'v_update'::uuid, :'v_insert'::uuid, 'an update renews the version');

select analytics.erase_user('a0000000-0000-4000-8000-000000000002') is not null as erased \gset
select version as v_erase from analytics.suppression_list_version \gset
select isnt(:'v_erase'::uuid, :'v_update'::uuid, 'erase_user renews the version');

delete from analytics.erased_subjects where subject_hash = analytics.subject_hash('a0000000-0000-4000-8000-000000000001');
select version as v_delete from analytics.suppression_list_version \gset
select isnt(:'v_delete'::uuid, :'v_erase'::uuid, 'a delete renews the version');

truncate analytics.erased_subjects;
select version as v_truncate from analytics.suppression_list_version \gset
select isnt(:'v_truncate'::uuid, :'v_delete'::uuid, 'a truncate renews the version');
select is((select subjects from analytics.suppression_list_version), 0, 'subjects is 0 after a truncate');

-- As the ingest function reads it: service_role, as PostgREST would set it.
set local role service_role;
select set_config('request.jwt.claims', '{"role":"service_role"}', true);
select is((select version from analytics.suppression_list_version), :'v_truncate'::uuid, 'service_role can read the version');
select throws_ok($$ update analytics.suppression_list_version set subjects = 0 $$, '42501', null,
  'service_role cannot write the version');
reset role;

set local role authenticated;
select throws_ok($$ select version from analytics.suppression_list_version $$, '42501', null,
  'authenticated cannot read the version');
reset role;

select * from finish();
rollback;

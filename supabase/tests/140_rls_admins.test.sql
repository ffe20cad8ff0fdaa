-- Personas: admin and superadmin (app_metadata.role). Both read every row of every table and
-- write nothing.
begin;
\ir helpers/personas.psql
select plan(2 * (9 + 27));

set local role authenticated;

select set_config('request.jwt.claims', tests.claims('admin', :admin_id), true);
select * from tests.sees_everything('admin', :catalog_rows);
select * from tests.cannot_write('admin');

select set_config('request.jwt.claims', tests.claims('superadmin', :admin_id), true);
select * from tests.sees_everything('superadmin', :catalog_rows);
select * from tests.cannot_write('superadmin');

select * from finish();
rollback;

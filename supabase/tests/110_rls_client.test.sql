-- Persona: client (app_metadata.role = client). Sees no row anywhere and writes nothing.
begin;
\ir helpers/personas.psql
select plan(9 + 27);

set local role authenticated;
select set_config('request.jwt.claims', tests.claims('client', :client_id), true);

select * from tests.sees_nothing_else('client');
select * from tests.cannot_write('client');

select * from finish();
rollback;

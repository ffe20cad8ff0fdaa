-- Persona: anon (the anon/publishable key without a user). No privilege on any table: every
-- select and write is refused with 42501, whatever the claims say.
begin;
\ir helpers/personas.psql
select plan(9 + 27 + 9);

set local role anon;
select set_config('request.jwt.claims', '{"role": "anon"}', true);

select throws_ok(format('select * from %s', t), '42501', null, format('anon cannot select from %s', t))
from tests.matrix_tables() as t;
select * from tests.cannot_write('anon');

-- Even with admin claims, the anon database role has no grants.
select set_config('request.jwt.claims', '{"role": "anon", "app_metadata": {"role": "admin"}}', true);
select throws_ok(format('select * from %s', t), '42501', null, format('anon with admin claims cannot select from %s', t))
from tests.matrix_tables() as t;

select * from finish();
rollback;

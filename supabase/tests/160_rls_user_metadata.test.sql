-- Persona: users who claim a role in user_metadata (which they can edit) or carry an unknown
-- app role. RLS keys on app_metadata.role only: they get nothing beyond their real role.
begin;
\ir helpers/personas.psql
select plan(9 + 9 + 9 + 1);

set local role authenticated;

select set_config('request.jwt.claims', tests.claims('client', :admin_id, '{"role": "admin"}'), true);
select * from tests.sees_nothing_else('client with user_metadata.role admin');

select set_config('request.jwt.claims', tests.claims(null, :admin_id, '{"role": "superadmin"}'), true);
select * from tests.sees_nothing_else('user without app role, user_metadata.role superadmin');

select set_config('request.jwt.claims', tests.claims('Admin', :admin_id), true);
select * from tests.sees_nothing_else('unknown app role Admin');

-- user_metadata.role reader on the reader's own id opens nothing either.
select set_config('request.jwt.claims', tests.claims(null, :reader_id, '{"role": "reader"}'), true);
select is(tests.visible('public.metrics_daily_fulfillment'), 0::bigint,
  'user_metadata.role reader does not open the reader''s own fulfillment rows');

select * from finish();
rollback;

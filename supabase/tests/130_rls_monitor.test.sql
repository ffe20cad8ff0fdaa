-- Persona: monitor (app_metadata.role = monitor). Every call and content row; nothing else.
begin;
\ir helpers/personas.psql
select plan(2 + 7 + 27);

set local role authenticated;
-- A monitor id that equals a reader's does not open that reader's rows.
select set_config('request.jwt.claims', tests.claims('monitor', :reader_id), true);

select is(tests.visible('public.metrics_daily_calls'), 2::bigint, 'monitor reads every call row, total included');
select is(tests.visible('public.metrics_daily_content'), 1::bigint, 'monitor reads every content row');
select * from tests.sees_nothing_else('monitor', '{public.metrics_daily_calls,public.metrics_daily_content}');
select * from tests.cannot_write('monitor');

select * from finish();
rollback;

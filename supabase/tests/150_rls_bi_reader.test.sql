-- Persona: bi_reader, the BI SQL login (docs/design.md §11). Reads every metrics table, their
-- aggregation-safe views and etl_job_runs, as an admin does, with no JWT claims at all; nothing
-- else: no events_raw or partition, no event catalog or runbook view, no analytics object, no
-- function, no write. RLS still decides: without its policy a table shows bi_reader nothing.
begin;
\ir helpers/personas.psql

-- What bi_reader may read: the tables (with the rows an admin sees) and the views (one grain each).
create function tests.bi_tables() returns table (rel regclass, admin_rows bigint) language sql immutable as $$
  values ('public.metrics_daily_fulfillment'::regclass, 9::bigint), ('public.metrics_daily_payments', 3),
    ('public.metrics_daily_calls', 2), ('public.metrics_daily_engagement', 2), ('public.metrics_daily_content', 1),
    ('public.metrics_cohort_retention', 2), ('public.etl_job_runs', 2)
$$;
-- Seeded grains (personas.psql): fulfillment 4 detail + 1 service + 2 reader + 2 grand totals = 9 rows.
create function tests.bi_views() returns table (rel regclass, admin_rows bigint) language sql immutable as $$
  values ('public.metrics_fulfillment_detail'::regclass, 4::bigint), ('public.metrics_fulfillment_service_totals', 1),
    ('public.metrics_fulfillment_reader_totals', 2), ('public.metrics_fulfillment_totals', 2),
    ('public.metrics_payments_detail', 1), ('public.metrics_payments_currency_totals', 2),
    ('public.metrics_calls_detail', 1), ('public.metrics_calls_totals', 1),
    ('public.metrics_engagement_daily', 2), ('public.metrics_content_daily', 1)
$$;
create function tests.analytics_objects() returns setof text language sql stable as $$
  select format('%s %s', case c.relkind when 'S' then 'sequence' when 'v' then 'view' else 'table' end, c.oid::regclass)
  from pg_class c where c.relnamespace = 'analytics'::regnamespace and c.relkind in ('r', 'p', 'v', 'm', 'S', 'f')
$$;
create function tests.events_partitions() returns setof regclass language sql stable as $$
  select inhrelid::regclass from pg_inherits where inhparent = 'public.events_raw'::regclass
$$;
-- Every write on every readable relation; TRUNCATE on tables only (a view cannot be truncated at all).
create function tests.bi_write_statements() returns table (rel regclass, op text, stmt text) language sql stable as $$
  select r.rel, op, case op
      when 'insert' then format('insert into %s default values', r.rel)
      when 'update' then format('update %s set %I = %I', r.rel, a.attname, a.attname)
      when 'delete' then format('delete from %s', r.rel)
      else format('truncate %s', r.rel) end
  from (select rel from tests.bi_tables() union all select rel from tests.bi_views()) as r
  cross join unnest(array['insert', 'update', 'delete', 'truncate']) as op
  cross join lateral (select attname from pg_attribute
    where attrelid = r.rel and attnum > 0 and not attisdropped and attidentity = '' and attgenerated = ''
    order by attnum limit 1) as a
  where not (op = 'truncate' and (select relkind from pg_class where oid = r.rel) = 'v')
$$;

select count(*) as partitions from tests.events_partitions() \gset
select count(*) as analytics_objects from tests.analytics_objects() \gset
select count(*) as writes from tests.bi_write_statements() \gset
select count(*) as analytics_functions from pg_proc where pronamespace = 'analytics'::regnamespace \gset

select plan(7 + 7 + 7 + 10 + 1 + 1 + 3 + :partitions + 1 + 4 + :analytics_objects + 3 + :writes + 6 + 4 + 2);

-- The role itself (7).
select ok((select rolcanlogin from pg_roles where rolname = 'bi_reader'), 'bi_reader is a login role');
select ok((select not rolinherit from pg_roles where rolname = 'bi_reader'), 'bi_reader is noinherit');
select ok((select not (rolsuper or rolbypassrls or rolcreaterole or rolcreatedb or rolreplication) from pg_roles
           where rolname = 'bi_reader'), 'bi_reader has no superuser, bypassrls, createrole, createdb or replication');
select is(array(select m.roleid::regrole::text from pg_auth_members m where m.member = 'bi_reader'::regrole),
  '{}'::text[], 'bi_reader is a member of no role (nothing to inherit or set role to)');
select ok((select 'default_transaction_read_only=on' = any (rolconfig) from pg_roles where rolname = 'bi_reader'),
  'bi_reader sessions are read-only by default');
select ok((select exists (select 1 from unnest(rolconfig) s where s like 'statement_timeout=%') from pg_roles where rolname = 'bi_reader'),
  'bi_reader sessions have a statement timeout');
select set_eq(
  $$ select tablename::text || ': ' || policyname from pg_policies where 'bi_reader' = any (roles) $$,
  $$ select relname::text || ': ' || p from (values
       ('metrics_daily_fulfillment', 'bi_reader reads all fulfillment metrics'), ('metrics_daily_payments', 'bi_reader reads all payment metrics'),
       ('metrics_daily_calls', 'bi_reader reads all call metrics'), ('metrics_daily_engagement', 'bi_reader reads all engagement metrics'),
       ('metrics_daily_content', 'bi_reader reads all content metrics'), ('metrics_cohort_retention', 'bi_reader reads all cohort retention metrics'),
       ('etl_job_runs', 'bi_reader reads all etl job runs')) as v (relname, p) $$,
  'bi_reader is admitted by exactly one policy per metrics table and etl_job_runs');

-- Privileges, from the catalog (7).
select set_eq(
  $$ select c.oid::regclass::text from pg_class c
     where c.relnamespace = 'public'::regnamespace and has_any_column_privilege('bi_reader', c.oid, 'select') $$,
  $$ select rel::text from tests.bi_tables() union all select rel::text from tests.bi_views() $$,
  'bi_reader may select exactly the metrics tables, their views and etl_job_runs in public');
select is(
  array(select c.oid::regclass::text from pg_class c
        where c.relnamespace in ('public'::regnamespace, 'analytics'::regnamespace) and c.relkind in ('r', 'p', 'v', 'm', 'f')
          and (has_table_privilege('bi_reader', c.oid, 'insert,update,delete,truncate,references,trigger')
               or has_any_column_privilege('bi_reader', c.oid, 'insert,update,references'))),
  '{}'::text[], 'bi_reader has no write privilege on any table or view');
select is(
  array(select c.oid::regclass::text from pg_class c
        where c.relnamespace in ('public'::regnamespace, 'analytics'::regnamespace)
          and case when c.relkind = 'S' then has_sequence_privilege('bi_reader', c.oid, 'usage,select,update') else false end),
  '{}'::text[], 'bi_reader can use no sequence');
select is(
  array(select p.oid::regprocedure::text from pg_proc p
        where p.pronamespace in ('public'::regnamespace, 'analytics'::regnamespace)
          and has_function_privilege('bi_reader', p.oid, 'execute')),
  '{}'::text[], format('bi_reader can execute no function in public or analytics (%s in analytics)', :analytics_functions));
select ok(not has_schema_privilege('bi_reader', 'analytics', 'usage'), 'bi_reader has no usage on schema analytics');
select ok(not has_schema_privilege('bi_reader', 'auth', 'usage') and not has_schema_privilege('bi_reader', 'extensions', 'usage'),
  'bi_reader has no usage on the auth and extensions schemas');
select ok(not has_schema_privilege('bi_reader', 'public', 'create'), 'bi_reader cannot create objects in public');

-- From here on bi_reader runs the statements. It needs pgTAP (in `extensions`) and the helpers to
-- report; these grants are rolled back with everything else.
grant usage on schema extensions, tests to bi_reader;
grant execute on all functions in schema tests to bi_reader;

set local role bi_reader;
-- No claims at all, as over a pooled SQL connection.
select set_config('request.jwt.claims', '', true);

-- Reads every table as an admin does (7) and every view, one grain each (10).
select is(tests.visible(rel), admin_rows, format('bi_reader reads every row of %s', rel)) from tests.bi_tables();
select is(tests.visible(rel), admin_rows, format('bi_reader reads %s (its grain only)', rel)) from tests.bi_views();
select is((select sum(orders_created) from public.metrics_fulfillment_detail), 4::numeric,
  'a sum over one view counts each seeded detail row once');

-- JWT claims change nothing for the login (no helper, no claim is read) (1).
select set_config('request.jwt.claims', tests.claims('client', :client_id), true);
select is(tests.visible('public.metrics_daily_fulfillment'), 9::bigint, 'bi_reader reads the same rows whatever claims are set');
select set_config('request.jwt.claims', '', true);

-- Denied: raw events and every partition, the event catalog, the runbook views (3 + partitions + 1 + 4).
select throws_ok('select * from public.events_raw', '42501', null, 'bi_reader cannot read events_raw');
select throws_ok('select count(*) from public.events_raw where false', '42501', null, 'bi_reader cannot even count events_raw');
select throws_ok('select * from public.event_schema_versions', '42501', null, 'bi_reader cannot read the event catalog');
select throws_ok(format('select * from %s', p), '42501', null, format('bi_reader cannot read partition %s', p))
from tests.events_partitions() as p;
select throws_ok($$ select nextval('public.etl_job_runs_id_seq') $$, '42501', null, 'bi_reader cannot use the etl_job_runs sequence');
select throws_ok(format('select * from public.%I', v), '42501', null, format('bi_reader cannot read runbook view %s', v))
from unnest(array['etl_status_by_date', 'etl_metrics_coverage', 'event_volume_today', 'events_partition_sizes']) as v;

-- Denied: every analytics object (tables, views, sequences, user-level tables) and its functions (objects + 3).
select throws_ok(format('select * from %s', split_part(o, ' ', 2)), '42501', null, format('bi_reader cannot read analytics %s', o))
from tests.analytics_objects() as o;
select throws_ok('select analytics.app_role()', '42501', null, 'bi_reader cannot call the policy helper app_role()');
select throws_ok('select analytics.is_admin()', '42501', null, 'bi_reader cannot call the policy helper is_admin()');
select throws_ok('select analytics.run_daily_etl_pipeline(current_date)', '42501', null, 'bi_reader cannot run the ETL');

-- Denied: every write, even in a read-write transaction (privileges, not only the read-only default).
select throws_ok(stmt, '42501', null, format('bi_reader cannot %s %s', op, rel)) from tests.bi_write_statements();

-- Views honour the tables' RLS for application roles too (6).
reset role;
set local role authenticated;
select set_config('request.jwt.claims', tests.claims('reader', :reader_id), true);
select is(tests.visible('public.metrics_fulfillment_detail'), 2::bigint, 'a reader sees their own detail rows of the last 30 days');
select is(tests.visible('public.metrics_fulfillment_reader_totals'), 1::bigint, 'a reader sees their own all-services row');
select is(tests.visible('public.metrics_fulfillment_totals'), 0::bigint, 'a reader sees no grand total through the view');
select set_config('request.jwt.claims', tests.claims('monitor', :monitor_id), true);
select is(tests.visible('public.metrics_calls_totals'), 1::bigint, 'a monitor sees call totals');
select is(tests.visible('public.metrics_payments_currency_totals'), 0::bigint, 'a monitor sees no payments through the view');
select set_config('request.jwt.claims', tests.claims('admin', :admin_id), true);
select is(tests.visible('public.metrics_payments_detail'), 1::bigint, 'an admin sees payment detail rows');

-- RLS still decides for bi_reader: without its policy, the table and its views show nothing (3),
-- while the other tables are untouched (1). Rolled back with the test.
reset role;
drop policy "bi_reader reads all payment metrics" on public.metrics_daily_payments;
set local role bi_reader;
select set_config('request.jwt.claims', '', true);
select is(tests.visible('public.metrics_daily_payments'), 0::bigint, 'without its policy bi_reader reads no payment row');
select is(tests.visible('public.metrics_payments_detail'), 0::bigint, 'nor through the detail view');
select is(tests.visible('public.metrics_payments_currency_totals'), 0::bigint, 'nor through the currency totals view');
select is(tests.visible('public.metrics_daily_calls'), 2::bigint, 'other tables keep their rows');

-- RLS is on for every table bi_reader reads, and the views run with the caller's rights (2).
reset role;
select is(array(select rel::text from tests.bi_tables() where not (select relrowsecurity from pg_class where oid = rel)),
  '{}'::text[], 'every table bi_reader reads has RLS enabled');
select is(array(select v.rel::text from tests.bi_views() as v join pg_class c on c.oid = v.rel
                where not coalesce('security_invoker=true' = any (c.reloptions), false)),
  '{}'::text[], 'every view bi_reader reads is security_invoker');

select * from finish();
rollback;

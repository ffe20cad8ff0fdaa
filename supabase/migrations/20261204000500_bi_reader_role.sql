-- BI login (DESIGN.md §11): `bi_reader`, a read-only SQL login for Metabase, Grafana, Looker Studio
-- and psql through the pooler. It reads what an admin reads of the metrics tables and the ETL run
-- log, and nothing else: no events_raw (nor its partitions), no event catalog, no runbook views, no
-- analytics schema, no writes, no functions. RLS stays the single source of truth: the role has no
-- bypassrls, and each table admits it through a policy of its own that needs no JWT claims and no
-- helper function, so it works through Supavisor's transaction mode (no session state).
--
-- Created without a password: nobody can log in until the operator sets one
-- (`alter role bi_reader password '...'`, see docs/bi.md). Applies unchanged on hosted Supabase,
-- where migrations run as `postgres` (CREATEROLE, not superuser): no attribute here needs a superuser.

do $$
begin
  if not exists (select 1 from pg_catalog.pg_roles where rolname = 'bi_reader') then
    create role bi_reader login noinherit nosuperuser nocreatedb nocreaterole noreplication nobypassrls;
  elsif exists (select 1 from pg_catalog.pg_roles
                where rolname = 'bi_reader' and (rolsuper or rolbypassrls or rolreplication or rolcreaterole or rolcreatedb)) then
    -- Fail closed: a pre-existing bi_reader with more power than this file gives would silently widen access.
    raise exception 'role bi_reader already exists with superuser, bypassrls, replication, createrole or createdb; drop or fix it first';
  elsif exists (select 1 from pg_catalog.pg_auth_members m join pg_catalog.pg_roles r on r.oid = m.member
                where r.rolname = 'bi_reader') then
    raise exception 'role bi_reader already exists and is a member of another role; revoke that membership first';
  end if;
end
$$;
comment on role bi_reader is
  'Read-only BI login (DESIGN.md §11): reads the metrics tables, their aggregation-safe views and etl_job_runs under RLS; nothing else. No password until the operator sets one.';

-- Safety defaults for every session of the login (also applied to Supavisor's pooled connections,
-- which log in as the role). Read-only by default; privileges below are what actually forbid writes.
alter role bi_reader set default_transaction_read_only = on;
alter role bi_reader set statement_timeout = '60s';

grant usage on schema public to bi_reader;
grant select on public.metrics_daily_fulfillment, public.metrics_daily_payments, public.metrics_daily_calls,
  public.metrics_daily_engagement, public.metrics_daily_content, public.metrics_cohort_retention,
  public.etl_job_runs to bi_reader;

create policy "bi_reader reads all fulfillment metrics"
  on public.metrics_daily_fulfillment for select to bi_reader
  using (true);
comment on policy "bi_reader reads all fulfillment metrics" on public.metrics_daily_fulfillment is
  'The BI login reads every fulfillment row, totals included, as an admin does.';

create policy "bi_reader reads all payment metrics"
  on public.metrics_daily_payments for select to bi_reader
  using (true);
comment on policy "bi_reader reads all payment metrics" on public.metrics_daily_payments is
  'The BI login reads every payment row, as an admin does.';

create policy "bi_reader reads all call metrics"
  on public.metrics_daily_calls for select to bi_reader
  using (true);
comment on policy "bi_reader reads all call metrics" on public.metrics_daily_calls is
  'The BI login reads every call row, as an admin does.';

create policy "bi_reader reads all engagement metrics"
  on public.metrics_daily_engagement for select to bi_reader
  using (true);
comment on policy "bi_reader reads all engagement metrics" on public.metrics_daily_engagement is
  'The BI login reads every engagement row, as an admin does.';

create policy "bi_reader reads all content metrics"
  on public.metrics_daily_content for select to bi_reader
  using (true);
comment on policy "bi_reader reads all content metrics" on public.metrics_daily_content is
  'The BI login reads every content row, as an admin does.';

create policy "bi_reader reads all cohort retention metrics"
  on public.metrics_cohort_retention for select to bi_reader
  using (true);
comment on policy "bi_reader reads all cohort retention metrics" on public.metrics_cohort_retention is
  'The BI login reads every cohort retention row, as an admin does.';

create policy "bi_reader reads all etl job runs"
  on public.etl_job_runs for select to bi_reader
  using (true);
comment on policy "bi_reader reads all etl job runs" on public.etl_job_runs is
  'The BI login reads the ETL run log (is the data of a day complete?), as an admin does.';

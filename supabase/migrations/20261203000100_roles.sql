-- The project's own roles (hand-written: roles belong to the cluster, not to a schema, and a schema
-- diff does not carry them). supabase/schemas grants to them and gives them policies.
--
-- bi_reader (docs/design.md §11): a read-only SQL login for Metabase, Grafana, Looker Studio and psql
-- through the pooler. What it may read is declared in supabase/schemas (access.sql and the grants
-- beside the tables and views): what an admin reads of the metrics tables and the ETL run log,
-- through policies that need no JWT claims and no helper function, so it works through
-- Supavisor's transaction mode. It has no bypassrls: RLS stays the single source of truth.
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
  'Read-only BI login (docs/design.md §11): reads the metrics tables, their aggregation-safe views and etl_job_runs under RLS; nothing else. No password until the operator sets one.';

-- Safety defaults for every session of the login (also applied to Supavisor's pooled connections,
-- which log in as the role). Read-only by default; its privileges are what actually forbid writes.
alter role bi_reader set default_transaction_read_only = on;
alter role bi_reader set statement_timeout = '60s';

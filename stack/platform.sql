-- Local stand-in for what a hosted Supabase project provides before any migration runs.
-- Applied by stack/up.sh and stack/db-reset.sh; never part of supabase/migrations.
-- Definitions follow Supabase's own (supabase/postgres roles and auth schema), so that a test
-- that passes here means the same on a hosted project. Idempotent.

-- Roles: PostgREST's request roles and the login role it connects as.
do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'anon') then
    create role anon nologin noinherit;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'authenticated') then
    create role authenticated nologin noinherit;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'service_role') then
    create role service_role nologin noinherit bypassrls;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'authenticator') then
    create role authenticator login noinherit password 'postgres';
  end if;
end
$$;
grant anon, authenticated, service_role to authenticator;
-- On hosted Supabase `postgres` may switch to the request roles (edge functions rely on it).
grant anon, authenticated, service_role to postgres;
alter role authenticated set statement_timeout = '8s';
alter role anon set statement_timeout = '3s';

-- Schemas the platform owns.
create schema if not exists extensions;
grant usage on schema extensions to anon, authenticated, service_role;
create extension if not exists pgcrypto with schema extensions;

create schema if not exists auth;
grant usage on schema auth to anon, authenticated, service_role;

-- auth.* helpers exactly as Supabase defines them: they read the claims PostgREST sets.
create or replace function auth.uid() returns uuid
language sql stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.sub', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
  )::uuid
$$;

create or replace function auth.role() returns text
language sql stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.role', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
  )::text
$$;

create or replace function auth.jwt() returns jsonb
language sql stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim', true), ''),
    nullif(current_setting('request.jwt.claims', true), '')
  )::jsonb
$$;

grant execute on function auth.uid(), auth.role(), auth.jwt() to anon, authenticated, service_role;

-- public schema defaults. Since 2026 new tables get no automatic grants to anon/authenticated
-- (migrations grant explicitly); functions keep Postgres' EXECUTE for PUBLIC unless revoked.
grant usage on schema public to anon, authenticated, service_role;
alter default privileges for role postgres in schema public grant all on tables to service_role;
alter default privileges for role postgres in schema public grant all on sequences to service_role;
alter default privileges for role postgres in schema public grant all on functions to anon, authenticated, service_role;

-- Policy helpers: the application role of the caller, read from the verified JWT's
-- app_metadata.role (never the user metadata, which users can edit). These are the only functions in
-- `analytics` that `authenticated` may execute (RLS policies call them); anon gets nothing.
create or replace function analytics.app_role()
returns text
language sql
stable
set search_path = ''
as $$
  select nullif((select auth.jwt()) -> 'app_metadata' ->> 'role', '')
$$;
comment on function analytics.app_role() is
  'Application role of the current request (JWT app_metadata.role), or null. Policy helper: call as (select analytics.app_role()).';

create or replace function analytics.is_admin()
returns boolean
language sql
stable
set search_path = ''
as $$
  select coalesce((select analytics.app_role()) in ('admin', 'superadmin'), false)
$$;
comment on function analytics.is_admin() is
  'True when the current request is an admin or superadmin. Policy helper: call as (select analytics.is_admin()).';

grant usage on schema analytics to authenticated;
revoke all on function analytics.app_role(), analytics.is_admin() from public, anon;
grant execute on function analytics.app_role(), analytics.is_admin() to authenticated, service_role;

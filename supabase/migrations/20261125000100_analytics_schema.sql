-- The internal schema for analytics functions and user-level helper tables. It is not exposed
-- through PostgREST (config.toml api.schemas) and nothing in it is executable by anon or
-- authenticated unless a later migration grants it on purpose (RLS policy helpers).
create schema if not exists analytics;
comment on schema analytics is
  'SAMIA-TAROT analytics internals: ETL, partition, privacy and maintenance functions. Not exposed through the API.';

revoke all on schema analytics from public;
grant usage on schema analytics to service_role;

-- Functions created here later must not inherit Postgres' EXECUTE-for-PUBLIC default.
alter default privileges in schema analytics revoke execute on functions from public;
alter default privileges in schema analytics revoke all on tables from public;

create extension if not exists pgcrypto with schema extensions;

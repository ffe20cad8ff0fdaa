-- The internal schema: ETL, partition, privacy and maintenance functions and the user-level
-- helper tables. Not exposed through PostgREST (config.toml api.schemas). service_role uses it;
-- authenticated only for the RLS policy helpers (access.sql), the one thing here it may execute.
-- A new function gets Postgres' EXECUTE for PUBLIC, and a per-schema default privilege cannot
-- take that away: every function in this schema revokes it beside its definition.
create schema analytics;
comment on schema analytics is
  'SAMIA-TAROT analytics internals: ETL, partition, privacy and maintenance functions. Not exposed through the API.';
revoke all on schema analytics from public;
grant usage on schema analytics to service_role, authenticated;

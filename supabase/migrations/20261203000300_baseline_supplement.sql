-- What the generated baseline cannot express (hand-written; the drift check in npm test fails when
-- this and supabase/schemas disagree):
-- - the diff writes a new object's grants, not the revoke of a privilege that the project's default
--   privileges add when the object is created (a hosted project's, mirrored by stack/platform.sql,
--   give service_role everything on a new table in public);
-- - the diff adds a generated column after all the other columns of its table, so a column
--   declared after it is added again here, in its place (the table is empty at this point).

-- supabase/schemas/events.sql
revoke all on public.events_raw_default from service_role;

-- supabase/schemas/ingest.sql
alter table analytics.ingest_rate_limits drop column event_count;
alter table analytics.ingest_rate_limits add column event_count integer not null default 0;
comment on column analytics.ingest_rate_limits.event_count is 'Events counted in the current window (accepted batches only).';

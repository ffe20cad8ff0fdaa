-- Extensions the schema relies on (hand-written: supabase/schemas declares the project's own
-- schemas only). Hosted projects have pgcrypto in `extensions` already. pg_cron can only be created
-- in the database named by cron.database_name (`postgres` on hosted projects and in the stack).
create extension if not exists pgcrypto with schema extensions;
create extension if not exists pg_cron;

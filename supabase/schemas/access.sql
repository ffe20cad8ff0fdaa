-- Access control (docs/design.md §3, §9, §11): who reads what, through PostgREST, the metrics function
-- and the BI login. The application role is app_metadata.role of the verified JWT, read by the
-- policy helpers below and called as (select ...) so Postgres evaluates them once per statement.
--
-- | table                     | admin/superadmin | monitor | reader                 | client | bi_reader |
-- | events_raw                | all              | none    | none                   | none   | none      |
-- | metrics_daily_fulfillment | all              | none    | own rows, last 30 days | none   | all       |
-- | metrics_daily_payments    | all              | none    | none                   | none   | all       |
-- | metrics_daily_calls       | all              | all     | none                   | none   | all       |
-- | metrics_daily_engagement  | all              | none    | none                   | none   | all       |
-- | metrics_daily_content     | all              | all     | none                   | none   | all       |
-- | metrics_cohort_retention  | all              | none    | none                   | none   | all       |
-- | etl_job_runs              | all              | none    | none                   | none   | all       |
-- | event_schema_versions     | all              | none    | none                   | none   | none      |
--
-- Each of these tables grants SELECT to authenticated (and to bi_reader where it reads) beside its
-- definition, and nothing else to anon or authenticated. Writes: no application role writes
-- anything (only service_role, which bypasses RLS, and the ETL functions). anon gets nothing at
-- all. Partitions of events_raw keep RLS on and no grants, so a partition queried directly cannot
-- bypass the parent's rules.
--
-- bi_reader is the read-only BI login (role: migration ..._roles.sql). It reads what an admin reads
-- of the metrics tables (and their views, metrics/bi_views.sql) and the ETL run log, and nothing
-- else: no events_raw, no event catalog, no runbook views, no analytics schema, no functions. Its
-- policies need no JWT claims and no helper function, so they work through Supavisor's transaction
-- mode (no session state).

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
revoke all on function analytics.app_role() from public, anon;
grant execute on function analytics.app_role() to authenticated, service_role;

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
revoke all on function analytics.is_admin() from public, anon;
grant execute on function analytics.is_admin() to authenticated, service_role;

-- Admins and superadmins read everything.
create policy "admins read all raw events"
  on public.events_raw for select to authenticated
  using ((select analytics.is_admin()));
comment on policy "admins read all raw events" on public.events_raw is
  'Admins and superadmins (JWT app_metadata.role) read every raw event; nobody else does.';

create policy "admins read the event catalog"
  on public.event_schema_versions for select to authenticated
  using ((select analytics.is_admin()));
comment on policy "admins read the event catalog" on public.event_schema_versions is
  'Admins and superadmins read the event catalog (the service role reads it too, bypassing RLS).';

create policy "admins read all etl job runs"
  on public.etl_job_runs for select to authenticated
  using ((select analytics.is_admin()));
comment on policy "admins read all etl job runs" on public.etl_job_runs is
  'Admins and superadmins read the ETL run log.';

create policy "admins read all fulfillment metrics"
  on public.metrics_daily_fulfillment for select to authenticated
  using ((select analytics.is_admin()));
comment on policy "admins read all fulfillment metrics" on public.metrics_daily_fulfillment is
  'Admins and superadmins read every fulfillment row, totals included.';

create policy "admins read all payment metrics"
  on public.metrics_daily_payments for select to authenticated
  using ((select analytics.is_admin()));
comment on policy "admins read all payment metrics" on public.metrics_daily_payments is
  'Admins and superadmins read every payment row.';

create policy "admins read all call metrics"
  on public.metrics_daily_calls for select to authenticated
  using ((select analytics.is_admin()));
comment on policy "admins read all call metrics" on public.metrics_daily_calls is
  'Admins and superadmins read every call row.';

create policy "admins read all engagement metrics"
  on public.metrics_daily_engagement for select to authenticated
  using ((select analytics.is_admin()));
comment on policy "admins read all engagement metrics" on public.metrics_daily_engagement is
  'Admins and superadmins read every engagement row.';

create policy "admins read all content metrics"
  on public.metrics_daily_content for select to authenticated
  using ((select analytics.is_admin()));
comment on policy "admins read all content metrics" on public.metrics_daily_content is
  'Admins and superadmins read every content row.';

create policy "admins read all cohort retention metrics"
  on public.metrics_cohort_retention for select to authenticated
  using ((select analytics.is_admin()));
comment on policy "admins read all cohort retention metrics" on public.metrics_cohort_retention is
  'Admins and superadmins read every cohort retention row.';

-- Monitors watch service health: calls and content.
create policy "monitors read all call metrics"
  on public.metrics_daily_calls for select to authenticated
  using ((select analytics.app_role()) = 'monitor');
comment on policy "monitors read all call metrics" on public.metrics_daily_calls is
  'Monitors read every call row (call quality monitoring).';

create policy "monitors read all content metrics"
  on public.metrics_daily_content for select to authenticated
  using ((select analytics.app_role()) = 'monitor');
comment on policy "monitors read all content metrics" on public.metrics_daily_content is
  'Monitors read every content row (horoscope pipeline monitoring).';

-- Readers see their own fulfillment rows of the last 30 local days of the reporting time zone (day -30 included). Total rows
-- (reader_id null) never match. The day is UTC whatever the session TimeZone.
create policy "readers read their own fulfillment metrics of the last 30 days"
  on public.metrics_daily_fulfillment for select to authenticated
  using (
    (select analytics.app_role()) = 'reader'
    and reader_id = (select auth.uid())
    and metric_date >= (select analytics.reporting_today() - 30)
  );
comment on policy "readers read their own fulfillment metrics of the last 30 days" on public.metrics_daily_fulfillment is
  'Readers read rows with reader_id = auth.uid() and metric_date >= local today - 30 (reporting time zone); never total rows.';

-- The BI login reads every row of the tables it is granted, as an admin does.
grant usage on schema public to bi_reader;

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

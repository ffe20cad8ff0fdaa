-- Access control (DESIGN.md §3, §9): who reads what, through PostgREST and the metrics function.
-- The application role is app_metadata.role of the verified JWT, read by the policy helpers of
-- 20261125000500 and called as (select ...) so Postgres evaluates them once per statement.
--
-- | table                     | admin/superadmin | monitor | reader                 | client |
-- | events_raw                | all              | none    | none                   | none   |
-- | metrics_daily_fulfillment | all              | none    | own rows, last 30 days | none   |
-- | metrics_daily_payments    | all              | none    | none                   | none   |
-- | metrics_daily_calls       | all              | all     | none                   | none   |
-- | metrics_daily_engagement  | all              | none    | none                   | none   |
-- | metrics_daily_content     | all              | all     | none                   | none   |
-- | metrics_cohort_retention  | all              | none    | none                   | none   |
-- | etl_job_runs              | all              | none    | none                   | none   |
-- | event_schema_versions     | all              | none    | none                   | none   |
--
-- Writes: no application role writes anything (only service_role, which bypasses RLS, and the ETL
-- functions). anon gets nothing at all. Partitions of events_raw keep RLS on and no grants, so a
-- partition queried directly cannot bypass the parent's rules.

-- Grants: SELECT only, to authenticated only, on exactly the tables the matrix opens to some role.
revoke all on public.events_raw, public.event_schema_versions, public.etl_job_runs,
  public.metrics_daily_fulfillment, public.metrics_daily_payments, public.metrics_daily_calls,
  public.metrics_daily_engagement, public.metrics_daily_content, public.metrics_cohort_retention
  from public, anon, authenticated;
revoke all on sequence public.etl_job_runs_id_seq from public, anon, authenticated;

grant select on public.events_raw, public.event_schema_versions, public.etl_job_runs,
  public.metrics_daily_fulfillment, public.metrics_daily_payments, public.metrics_daily_calls,
  public.metrics_daily_engagement, public.metrics_daily_content, public.metrics_cohort_retention
  to authenticated;

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

-- Readers see their own fulfillment rows of the last 30 UTC days (day -30 included). Total rows
-- (reader_id null) never match. The day is UTC whatever the session TimeZone.
create policy "readers read their own fulfillment metrics of the last 30 days"
  on public.metrics_daily_fulfillment for select to authenticated
  using (
    (select analytics.app_role()) = 'reader'
    and reader_id = (select auth.uid())
    and metric_date >= (select (now() at time zone 'utc')::date - 30)
  );
comment on policy "readers read their own fulfillment metrics of the last 30 days" on public.metrics_daily_fulfillment is
  'Readers read rows with reader_id = auth.uid() and metric_date >= UTC today - 30; never total rows.';

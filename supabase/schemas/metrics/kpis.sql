-- Daily KPI tables filled by the nightly ETL (etl/*.sql; docs/design.md §5, §7, §8). A null dimension
-- means "all values" (a total row), so uniqueness treats nulls as equal. Nothing is rounded: rates
-- and durations are double precision, money is integer cents (averages may be fractional).
-- Kept 2 years (operations/retention.sql). Read through RLS (access.sql) by the metrics function
-- and PostgREST; written only by the ETL functions (and the service role, which bypasses RLS).

-- The metrics API serves each row as one JSON object (docs/metrics-api.md): field names and order
-- of the contract, counts as numbers, dates YYYY-MM-DD, doubles shortest-exact. The tables keep it
-- in a stored generated column (api_row), so a request concatenates stored text instead of
-- converting every value of every row, and it can never disagree with the row (an update or an
-- erasure rewrites it). Immutable in fact: the one setting its output depends on,
-- extra_float_digits, is pinned, whatever the writer's session says.
create or replace function analytics.metrics_daily_fulfillment_api_row(
  metric_date date, service_code text, reader_id uuid, orders_created bigint, orders_assigned bigint,
  orders_completed bigint, orders_cancelled bigint, approvals bigint, rejections bigint,
  approval_rate double precision, rejection_loop_rate double precision, ttf_response_avg_s double precision,
  ttf_response_p95_s double precision, ttf_delivery_avg_s double precision,
  ttf_delivery_p95_s double precision, ttf_approval_avg_s double precision,
  ttf_approval_p95_s double precision
)
returns json
language sql
immutable
set search_path = ''
set extra_float_digits = 1
as $$
  select pg_catalog.row_to_json(r) from (select
    metric_date, service_code, reader_id, orders_created, orders_assigned, orders_completed,
    orders_cancelled, approvals, rejections, approval_rate, rejection_loop_rate, ttf_response_avg_s,
    ttf_response_p95_s, ttf_delivery_avg_s, ttf_delivery_p95_s, ttf_approval_avg_s, ttf_approval_p95_s) as r
$$;
comment on function analytics.metrics_daily_fulfillment_api_row is
  'A metrics_daily_fulfillment row as the metrics API serves it (its generated column api_row).';
revoke all on function analytics.metrics_daily_fulfillment_api_row from public, anon, authenticated;
grant execute on function analytics.metrics_daily_fulfillment_api_row to service_role;

create or replace function analytics.metrics_daily_payments_api_row(
  metric_date date, provider text, country_code text, currency text, attempts bigint,
  fallback_attempts bigint, successes bigint, failures bigint, refunds bigint, success_rate double precision,
  fallback_rate double precision, refund_rate double precision, gross_cents bigint, refunded_cents bigint,
  revenue_cents bigint, avg_transaction_cents double precision, attempts_succeeded bigint,
  successes_refunded bigint
)
returns json
language sql
immutable
set search_path = ''
set extra_float_digits = 1
as $$
  select pg_catalog.row_to_json(r) from (select
    metric_date, provider, country_code, currency, attempts, fallback_attempts, successes, failures, refunds,
    success_rate, fallback_rate, refund_rate, gross_cents, refunded_cents, revenue_cents,
    avg_transaction_cents, attempts_succeeded, successes_refunded) as r
$$;
comment on function analytics.metrics_daily_payments_api_row is
  'A metrics_daily_payments row as the metrics API serves it (its generated column api_row).';
revoke all on function analytics.metrics_daily_payments_api_row from public, anon, authenticated;
grant execute on function analytics.metrics_daily_payments_api_row to service_role;

create or replace function analytics.metrics_daily_calls_api_row(
  metric_date date, service_code text, provider text, started bigint, answered bigint, completed bigint,
  dropped bigint, recorded bigint, answer_rate double precision, completion_rate double precision,
  drop_rate double precision, recording_rate double precision, duration_avg_s double precision,
  duration_p95_s double precision, started_answered bigint, answered_completed bigint,
  answered_dropped bigint, answered_recorded bigint
)
returns json
language sql
immutable
set search_path = ''
set extra_float_digits = 1
as $$
  select pg_catalog.row_to_json(r) from (select
    metric_date, service_code, provider, started, answered, completed, dropped, recorded, answer_rate,
    completion_rate, drop_rate, recording_rate, duration_avg_s, duration_p95_s, started_answered,
    answered_completed, answered_dropped, answered_recorded) as r
$$;
comment on function analytics.metrics_daily_calls_api_row is
  'A metrics_daily_calls row as the metrics API serves it (its generated column api_row).';
revoke all on function analytics.metrics_daily_calls_api_row from public, anon, authenticated;
grant execute on function analytics.metrics_daily_calls_api_row to service_role;

create or replace function analytics.metrics_daily_engagement_api_row(
  metric_date date, dau bigint, wau bigint, mau bigint, notifications_sent bigint,
  notifications_delivered bigint, notifications_opened bigint, notifications_opted_out bigint,
  notification_ctr double precision, opt_out_rate double precision, listens bigint,
  listen_through_avg_pct double precision, delivered_opened bigint, users_sent bigint,
  users_sent_opted_out bigint
)
returns json
language sql
immutable
set search_path = ''
set extra_float_digits = 1
as $$
  select pg_catalog.row_to_json(r) from (select
    metric_date, dau, wau, mau, notifications_sent, notifications_delivered, notifications_opened,
    notifications_opted_out, notification_ctr, opt_out_rate, listens, listen_through_avg_pct,
    delivered_opened, users_sent, users_sent_opted_out) as r
$$;
comment on function analytics.metrics_daily_engagement_api_row is
  'A metrics_daily_engagement row as the metrics API serves it (its generated column api_row).';
revoke all on function analytics.metrics_daily_engagement_api_row from public, anon, authenticated;
grant execute on function analytics.metrics_daily_engagement_api_row to service_role;

create or replace function analytics.metrics_daily_content_api_row(
  metric_date date, uploaded bigint, approved bigint, rejected bigint, published bigint,
  signs_published bigint, coverage_rate double precision, approval_rate double precision,
  approval_latency_avg_s double precision, approval_latency_p95_s double precision
)
returns json
language sql
immutable
set search_path = ''
set extra_float_digits = 1
as $$
  select pg_catalog.row_to_json(r) from (select
    metric_date, uploaded, approved, rejected, published, signs_published, coverage_rate, approval_rate,
    approval_latency_avg_s, approval_latency_p95_s) as r
$$;
comment on function analytics.metrics_daily_content_api_row is
  'A metrics_daily_content row as the metrics API serves it (its generated column api_row).';
revoke all on function analytics.metrics_daily_content_api_row from public, anon, authenticated;
grant execute on function analytics.metrics_daily_content_api_row to service_role;

create or replace function analytics.metrics_cohort_retention_api_row(
  cohort_date date, retention_day integer, cohort_size bigint, retained_users bigint,
  retention_rate double precision
)
returns json
language sql
immutable
set search_path = ''
set extra_float_digits = 1
as $$
  select pg_catalog.row_to_json(r) from (select
    cohort_date, retention_day, cohort_size, retained_users, retention_rate) as r
$$;
comment on function analytics.metrics_cohort_retention_api_row is
  'A metrics_cohort_retention row as the metrics API serves it (its generated column api_row).';
revoke all on function analytics.metrics_cohort_retention_api_row from public, anon, authenticated;
grant execute on function analytics.metrics_cohort_retention_api_row to service_role;

create table public.metrics_daily_fulfillment (
  metric_date date not null,
  service_code text,
  reader_id uuid,
  orders_created bigint not null default 0,
  orders_assigned bigint not null default 0,
  orders_completed bigint not null default 0,
  orders_cancelled bigint not null default 0,
  approvals bigint not null default 0,
  rejections bigint not null default 0,
  approval_rate double precision,
  rejection_loop_rate double precision,
  ttf_response_avg_s double precision,
  ttf_response_p95_s double precision,
  ttf_delivery_avg_s double precision,
  ttf_delivery_p95_s double precision,
  ttf_approval_avg_s double precision,
  ttf_approval_p95_s double precision,
  computed_at timestamptz not null default now(),
  api_row json generated always as (analytics.metrics_daily_fulfillment_api_row(
    metric_date, service_code, reader_id, orders_created, orders_assigned, orders_completed,
    orders_cancelled, approvals, rejections, approval_rate, rejection_loop_rate, ttf_response_avg_s,
    ttf_response_p95_s, ttf_delivery_avg_s, ttf_delivery_p95_s, ttf_approval_avg_s, ttf_approval_p95_s)) stored,
  constraint metrics_daily_fulfillment_key unique nulls not distinct (metric_date, service_code, reader_id)
);
comment on table public.metrics_daily_fulfillment is
  'Fulfillment KPIs per local day (reporting time zone) by (service_code, reader_id); null dimensions are totals. Kept 2 years.';
comment on column public.metrics_daily_fulfillment.metric_date is 'Local day (reporting time zone) the metrics describe.';
comment on column public.metrics_daily_fulfillment.service_code is 'Service; null = all services.';
comment on column public.metrics_daily_fulfillment.reader_id is 'Reader assigned at the event time; null = all readers (and events with no reader).';
comment on column public.metrics_daily_fulfillment.orders_created is 'order_created events on the day.';
comment on column public.metrics_daily_fulfillment.orders_assigned is 'order_assigned events on the day.';
comment on column public.metrics_daily_fulfillment.orders_completed is 'order_completed events on the day.';
comment on column public.metrics_daily_fulfillment.orders_cancelled is 'order_cancelled events on the day.';
comment on column public.metrics_daily_fulfillment.approvals is 'order_approved events on the day.';
comment on column public.metrics_daily_fulfillment.rejections is 'order_rejected events on the day.';
comment on column public.metrics_daily_fulfillment.approval_rate is 'approvals / (approvals + rejections); null when no decision.';
comment on column public.metrics_daily_fulfillment.rejection_loop_rate is 'Share of orders decided on the day with two or more rejections in their history up to the end of the day.';
comment on column public.metrics_daily_fulfillment.ttf_response_avg_s is 'Mean seconds order_created -> order_assigned, per assignment on the day.';
comment on column public.metrics_daily_fulfillment.ttf_response_p95_s is 'p95 (percentile_cont) of the same.';
comment on column public.metrics_daily_fulfillment.ttf_delivery_avg_s is 'Mean seconds order_created -> order_completed, per completion on the day.';
comment on column public.metrics_daily_fulfillment.ttf_delivery_p95_s is 'p95 of the same.';
comment on column public.metrics_daily_fulfillment.ttf_approval_avg_s is 'Mean seconds latest order_submitted -> decision, per decision on the day.';
comment on column public.metrics_daily_fulfillment.ttf_approval_p95_s is 'p95 of the same.';
comment on column public.metrics_daily_fulfillment.computed_at is 'When the ETL wrote the row.';
comment on column public.metrics_daily_fulfillment.api_row is
  'The row as the metrics API serves it: a JSON object of the API''s fields in contract order. Generated: always matches the row.';

create table public.metrics_daily_payments (
  metric_date date not null,
  provider text,
  country_code text,
  currency text not null,
  attempts bigint not null default 0,
  fallback_attempts bigint not null default 0,
  successes bigint not null default 0,
  failures bigint not null default 0,
  refunds bigint not null default 0,
  success_rate double precision,
  fallback_rate double precision,
  refund_rate double precision,
  gross_cents bigint not null default 0,
  refunded_cents bigint not null default 0,
  revenue_cents bigint not null default 0,
  avg_transaction_cents double precision,
  computed_at timestamptz not null default now(),
  attempts_succeeded bigint,
  successes_refunded bigint,
  api_row json generated always as (analytics.metrics_daily_payments_api_row(
    metric_date, provider, country_code, currency, attempts, fallback_attempts, successes, failures, refunds,
    success_rate, fallback_rate, refund_rate, gross_cents, refunded_cents, revenue_cents,
    avg_transaction_cents, attempts_succeeded, successes_refunded)) stored,
  constraint metrics_daily_payments_key unique nulls not distinct (metric_date, provider, country_code, currency)
);
comment on table public.metrics_daily_payments is
  'Payment KPIs per local day (reporting time zone) by (provider, country_code, currency) plus one total row per currency (provider and country null). Never summed across currencies. Kept 2 years.';
comment on column public.metrics_daily_payments.metric_date is 'Local day (reporting time zone) the metrics describe.';
comment on column public.metrics_daily_payments.provider is 'Payment provider; null on the per-currency total row.';
comment on column public.metrics_daily_payments.country_code is 'ISO 3166-1 alpha-2; null on the per-currency total row.';
comment on column public.metrics_daily_payments.currency is 'ISO 4217 currency; every row is within one currency.';
comment on column public.metrics_daily_payments.attempts is 'payment_attempted events.';
comment on column public.metrics_daily_payments.fallback_attempts is 'payment_attempted events with metadata.is_fallback = true.';
comment on column public.metrics_daily_payments.successes is 'payment_succeeded events.';
comment on column public.metrics_daily_payments.failures is 'payment_failed events.';
comment on column public.metrics_daily_payments.refunds is 'refund_issued events.';
comment on column public.metrics_daily_payments.success_rate is 'attempts_succeeded / attempts: the share of the day''s attempts a success answered (at any time so far); null when no attempt.';
comment on column public.metrics_daily_payments.fallback_rate is 'fallback_attempts / attempts; null when no attempt.';
comment on column public.metrics_daily_payments.refund_rate is 'successes_refunded / successes: the share of the day''s successes refunded (at any time so far); null when no success.';
comment on column public.metrics_daily_payments.gross_cents is 'Sum of succeeded amounts.';
comment on column public.metrics_daily_payments.refunded_cents is 'Sum of refunded amounts.';
comment on column public.metrics_daily_payments.revenue_cents is 'gross_cents - refunded_cents (may be negative).';
comment on column public.metrics_daily_payments.avg_transaction_cents is 'Mean succeeded amount; null when no success.';
comment on column public.metrics_daily_payments.computed_at is 'When the ETL wrote the row.';
comment on column public.metrics_daily_payments.api_row is
  'The row as the metrics API serves it: a JSON object of the API''s fields in contract order. Generated: always matches the row.';
comment on column public.metrics_daily_payments.attempts_succeeded is 'Attempts of the day answered by a success (so far); numerator of success_rate. Additive.';
comment on column public.metrics_daily_payments.successes_refunded is 'Successes of the day refunded (so far); numerator of refund_rate. Additive.';

create table public.metrics_daily_calls (
  metric_date date not null,
  service_code text,
  provider text,
  started bigint not null default 0,
  answered bigint not null default 0,
  completed bigint not null default 0,
  dropped bigint not null default 0,
  recorded bigint not null default 0,
  answer_rate double precision,
  completion_rate double precision,
  drop_rate double precision,
  recording_rate double precision,
  duration_avg_s double precision,
  duration_p95_s double precision,
  computed_at timestamptz not null default now(),
  started_answered bigint,
  answered_completed bigint,
  answered_dropped bigint,
  answered_recorded bigint,
  api_row json generated always as (analytics.metrics_daily_calls_api_row(
    metric_date, service_code, provider, started, answered, completed, dropped, recorded, answer_rate,
    completion_rate, drop_rate, recording_rate, duration_avg_s, duration_p95_s, started_answered,
    answered_completed, answered_dropped, answered_recorded)) stored,
  constraint metrics_daily_calls_key unique nulls not distinct (metric_date, service_code, provider)
);
comment on table public.metrics_daily_calls is
  'Call quality KPIs per local day (reporting time zone) by (service_code, provider) plus a grand total row (both null). Kept 2 years.';
comment on column public.metrics_daily_calls.metric_date is 'Local day (reporting time zone) the metrics describe.';
comment on column public.metrics_daily_calls.service_code is 'Service; null on the grand total.';
comment on column public.metrics_daily_calls.provider is 'Telephony provider; null on the grand total.';
comment on column public.metrics_daily_calls.started is 'call_started events.';
comment on column public.metrics_daily_calls.answered is 'call_answered events.';
comment on column public.metrics_daily_calls.completed is 'call_ended events.';
comment on column public.metrics_daily_calls.dropped is 'call_dropped events.';
comment on column public.metrics_daily_calls.recorded is 'call_ended events with metadata.recorded = true.';
comment on column public.metrics_daily_calls.answer_rate is 'started_answered / started.';
comment on column public.metrics_daily_calls.completion_rate is 'answered_completed / answered.';
comment on column public.metrics_daily_calls.drop_rate is 'answered_dropped / answered.';
comment on column public.metrics_daily_calls.recording_rate is 'answered_recorded / answered.';
comment on column public.metrics_daily_calls.duration_avg_s is 'Mean duration_seconds of call_ended events.';
comment on column public.metrics_daily_calls.duration_p95_s is 'p95 duration_seconds of call_ended events.';
comment on column public.metrics_daily_calls.computed_at is 'When the ETL wrote the row.';
comment on column public.metrics_daily_calls.api_row is
  'The row as the metrics API serves it: a JSON object of the API''s fields in contract order. Generated: always matches the row.';
comment on column public.metrics_daily_calls.started_answered is 'Calls started on the day that were answered (so far); numerator of answer_rate. Additive.';
comment on column public.metrics_daily_calls.answered_completed is 'Calls answered on the day that ended normally (so far); numerator of completion_rate. Additive.';
comment on column public.metrics_daily_calls.answered_dropped is 'Calls answered on the day that dropped (so far); numerator of drop_rate. Additive.';
comment on column public.metrics_daily_calls.answered_recorded is 'Calls answered on the day that ended recorded (so far); numerator of recording_rate. Additive.';

create table public.metrics_daily_engagement (
  metric_date date not null,
  dau bigint not null default 0,
  wau bigint not null default 0,
  mau bigint not null default 0,
  notifications_sent bigint not null default 0,
  notifications_delivered bigint not null default 0,
  notifications_opened bigint not null default 0,
  notifications_opted_out bigint not null default 0,
  notification_ctr double precision,
  opt_out_rate double precision,
  listens bigint not null default 0,
  listen_through_avg_pct double precision,
  computed_at timestamptz not null default now(),
  delivered_opened bigint,
  users_sent bigint,
  users_sent_opted_out bigint,
  api_row json generated always as (analytics.metrics_daily_engagement_api_row(
    metric_date, dau, wau, mau, notifications_sent, notifications_delivered, notifications_opened,
    notifications_opted_out, notification_ctr, opt_out_rate, listens, listen_through_avg_pct,
    delivered_opened, users_sent, users_sent_opted_out)) stored,
  constraint metrics_daily_engagement_pkey primary key (metric_date)
);
comment on table public.metrics_daily_engagement is 'Engagement KPIs, one row per computed local day (reporting time zone). Kept 2 years.';
comment on column public.metrics_daily_engagement.metric_date is 'Local day (reporting time zone) the metrics describe.';
comment on column public.metrics_daily_engagement.dau is 'Distinct users with a user-initiated event on the day.';
comment on column public.metrics_daily_engagement.wau is 'Distinct users active in the 7 days ending on the day.';
comment on column public.metrics_daily_engagement.mau is 'Distinct users active in the 30 days ending on the day.';
comment on column public.metrics_daily_engagement.notifications_sent is 'notification_sent events.';
comment on column public.metrics_daily_engagement.notifications_delivered is 'notification_delivered events.';
comment on column public.metrics_daily_engagement.notifications_opened is 'notification_opened events.';
comment on column public.metrics_daily_engagement.notifications_opted_out is 'notification_opted_out events.';
comment on column public.metrics_daily_engagement.notification_ctr is 'delivered_opened / notifications_delivered.';
comment on column public.metrics_daily_engagement.opt_out_rate is 'users_sent_opted_out / users_sent.';
comment on column public.metrics_daily_engagement.listens is 'horoscope_listened events.';
comment on column public.metrics_daily_engagement.listen_through_avg_pct is 'Mean metadata.listen_percent (0..100).';
comment on column public.metrics_daily_engagement.computed_at is 'When the ETL wrote the row.';
comment on column public.metrics_daily_engagement.api_row is
  'The row as the metrics API serves it: a JSON object of the API''s fields in contract order. Generated: always matches the row.';
comment on column public.metrics_daily_engagement.delivered_opened is 'Notifications delivered on the day that were opened (so far); numerator of notification_ctr. Additive.';
comment on column public.metrics_daily_engagement.users_sent is 'Distinct users sent a notification on the day; denominator of opt_out_rate. Not additive across days.';
comment on column public.metrics_daily_engagement.users_sent_opted_out is 'Of those, users who opted out on the day or later (so far); numerator of opt_out_rate.';

create table public.metrics_daily_content (
  metric_date date not null,
  uploaded bigint not null default 0,
  approved bigint not null default 0,
  rejected bigint not null default 0,
  published bigint not null default 0,
  signs_published bigint not null default 0,
  coverage_rate double precision,
  approval_rate double precision,
  approval_latency_avg_s double precision,
  approval_latency_p95_s double precision,
  computed_at timestamptz not null default now(),
  api_row json generated always as (analytics.metrics_daily_content_api_row(
    metric_date, uploaded, approved, rejected, published, signs_published, coverage_rate, approval_rate,
    approval_latency_avg_s, approval_latency_p95_s)) stored,
  constraint metrics_daily_content_pkey primary key (metric_date)
);
comment on table public.metrics_daily_content is 'Daily horoscope content KPIs, one row per computed local day (reporting time zone). Kept 2 years.';
comment on column public.metrics_daily_content.metric_date is 'Local day (reporting time zone) the metrics describe.';
comment on column public.metrics_daily_content.uploaded is 'horoscope_uploaded events.';
comment on column public.metrics_daily_content.approved is 'horoscope_approved events.';
comment on column public.metrics_daily_content.rejected is 'horoscope_rejected events.';
comment on column public.metrics_daily_content.published is 'horoscope_published events.';
comment on column public.metrics_daily_content.signs_published is 'Distinct zodiac signs published on the day.';
comment on column public.metrics_daily_content.coverage_rate is 'signs_published / 12.';
comment on column public.metrics_daily_content.approval_rate is 'approved / (approved + rejected).';
comment on column public.metrics_daily_content.approval_latency_avg_s is 'Mean seconds uploaded -> approved, per approval on the day.';
comment on column public.metrics_daily_content.approval_latency_p95_s is 'p95 of the same.';
comment on column public.metrics_daily_content.computed_at is 'When the ETL wrote the row.';
comment on column public.metrics_daily_content.api_row is
  'The row as the metrics API serves it: a JSON object of the API''s fields in contract order. Generated: always matches the row.';

create table public.metrics_cohort_retention (
  cohort_date date not null,
  retention_day integer not null,
  cohort_size bigint not null,
  retained_users bigint not null,
  retention_rate double precision,
  computed_at timestamptz not null default now(),
  api_row json generated always as (analytics.metrics_cohort_retention_api_row(
    cohort_date, retention_day, cohort_size, retained_users, retention_rate)) stored,
  -- api_row in the key's index: a range is read in key order by an index-only scan. The nightly
  -- writes a row for every cohort each day, so in the heap a cohort's rows lie one to a page.
  constraint metrics_cohort_retention_pkey primary key (cohort_date, retention_day) include (api_row),
  constraint metrics_cohort_retention_day_range check (retention_day between 0 and 365)
);
comment on table public.metrics_cohort_retention is
  'Day-N retention of the cohort of users first active on cohort_date, for each computed day cohort_date + N. Kept 2 years.';
comment on column public.metrics_cohort_retention.cohort_date is 'Local day (reporting time zone) of the cohort''s first activity (user-initiated events).';
comment on column public.metrics_cohort_retention.retention_day is 'N: days after cohort_date (0..365).';
comment on column public.metrics_cohort_retention.cohort_size is 'Users whose first activity is on cohort_date.';
comment on column public.metrics_cohort_retention.retained_users is 'Cohort users active on cohort_date + N.';
comment on column public.metrics_cohort_retention.retention_rate is 'retained_users / cohort_size.';
comment on column public.metrics_cohort_retention.computed_at is 'When the ETL wrote the row.';
comment on column public.metrics_cohort_retention.api_row is
  'The row as the metrics API serves it: a JSON object of the API''s fields in contract order. Generated: always matches the row.';
comment on constraint metrics_cohort_retention_pkey on public.metrics_cohort_retention is
  'One row per cohort and retention day; the index carries api_row so that the metrics API reads a range from the index alone.';

-- The cohort job rewrites the rows of one observed day: every cohort C in [D-365, D] gets its
-- day-(D-C) row.
create index metrics_cohort_retention_observed_day_idx
  on public.metrics_cohort_retention ((cohort_date + retention_day));
comment on index public.metrics_cohort_retention_observed_day_idx is
  'Lets the cohort ETL job replace the rows whose observed day (cohort_date + retention_day) it recomputes.';

-- Date-range reads use the tables' unique keys (metric_date first). A reader's request filters on
-- reader_id (RLS) over 31 days: without this index it scans every reader's rows of those days.
create index metrics_daily_fulfillment_reader_date_idx
  on public.metrics_daily_fulfillment (reader_id, metric_date);
comment on index public.metrics_daily_fulfillment_reader_date_idx is
  'Per-reader date ranges: the reader RLS policy (reader_id = auth.uid(), last 30 days) and ?reader_id= filters.';

-- SELECT to authenticated and to the BI login (bi_reader); the policies in access.sql decide which
-- rows each application role sees.
alter table public.metrics_daily_fulfillment enable row level security;
alter table public.metrics_daily_payments enable row level security;
alter table public.metrics_daily_calls enable row level security;
alter table public.metrics_daily_engagement enable row level security;
alter table public.metrics_daily_content enable row level security;
alter table public.metrics_cohort_retention enable row level security;
revoke all on public.metrics_daily_fulfillment, public.metrics_daily_payments, public.metrics_daily_calls,
  public.metrics_daily_engagement, public.metrics_daily_content, public.metrics_cohort_retention
  from public, anon, authenticated;
grant all on public.metrics_daily_fulfillment, public.metrics_daily_payments, public.metrics_daily_calls,
  public.metrics_daily_engagement, public.metrics_daily_content, public.metrics_cohort_retention
  to service_role;
grant select on public.metrics_daily_fulfillment, public.metrics_daily_payments, public.metrics_daily_calls,
  public.metrics_daily_engagement, public.metrics_daily_content, public.metrics_cohort_retention
  to authenticated, bi_reader;

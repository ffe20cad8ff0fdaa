-- Aggregation-safe shapes of the daily metrics tables for BI tools (docs/design.md §11). The tables keep
-- detail rows and total rows (null dimensions) side by side, so a plain sum() over a table counts
-- events two or four times. Each view below holds exactly one grain, so sum() within a view never
-- double counts. Detail views may sum to less than their totals: an event lacking a dimension
-- counts only in the totals.
--
-- Measures: counts and money are additive (money only within one currency); rates, averages, p95
-- and distinct-user counts are not. A rate re-aggregates as sum(numerator) / sum(denominator) over
-- the columns each column comment names; where the stored rows cannot give a numerator, the
-- comment says so.
--
-- security_invoker: the caller's rights and the tables' RLS apply (a reader sees through the
-- fulfillment views exactly the rows the table shows them). Granted like the tables: SELECT to
-- authenticated (RLS picks the rows per application role) and to the BI login.

-- Fulfillment: four grains.
create view public.metrics_fulfillment_detail with (security_invoker = true) as
select metric_date, service_code, reader_id, orders_created, orders_assigned, orders_completed, orders_cancelled,
  approvals, rejections, approvals + rejections as decisions, approval_rate, rejection_loop_rate,
  ttf_response_avg_s, ttf_response_p95_s, ttf_delivery_avg_s, ttf_delivery_p95_s, ttf_approval_avg_s, ttf_approval_p95_s
from public.metrics_daily_fulfillment
where service_code is not null and reader_id is not null;

create view public.metrics_fulfillment_service_totals with (security_invoker = true) as
select metric_date, service_code, orders_created, orders_assigned, orders_completed, orders_cancelled,
  approvals, rejections, approvals + rejections as decisions, approval_rate, rejection_loop_rate,
  ttf_response_avg_s, ttf_response_p95_s, ttf_delivery_avg_s, ttf_delivery_p95_s, ttf_approval_avg_s, ttf_approval_p95_s
from public.metrics_daily_fulfillment
where service_code is not null and reader_id is null;

create view public.metrics_fulfillment_reader_totals with (security_invoker = true) as
select metric_date, reader_id, orders_created, orders_assigned, orders_completed, orders_cancelled,
  approvals, rejections, approvals + rejections as decisions, approval_rate, rejection_loop_rate,
  ttf_response_avg_s, ttf_response_p95_s, ttf_delivery_avg_s, ttf_delivery_p95_s, ttf_approval_avg_s, ttf_approval_p95_s
from public.metrics_daily_fulfillment
where service_code is null and reader_id is not null;

create view public.metrics_fulfillment_totals with (security_invoker = true) as
select metric_date, orders_created, orders_assigned, orders_completed, orders_cancelled,
  approvals, rejections, approvals + rejections as decisions, approval_rate, rejection_loop_rate,
  ttf_response_avg_s, ttf_response_p95_s, ttf_delivery_avg_s, ttf_delivery_p95_s, ttf_approval_avg_s, ttf_approval_p95_s
from public.metrics_daily_fulfillment
where service_code is null and reader_id is null;

comment on view public.metrics_fulfillment_detail is
  'Fulfillment per day, service and reader (detail rows only): sum() is safe. Events with no reader or no service are only in the totals views.';
comment on view public.metrics_fulfillment_service_totals is
  'Fulfillment per day and service over all readers (including unassigned orders): sum() is safe.';
comment on view public.metrics_fulfillment_reader_totals is
  'Fulfillment per day and reader over all services: sum() is safe.';
comment on view public.metrics_fulfillment_totals is
  'Fulfillment per day over all services and readers (one row per day with order events): sum() is safe.';

-- Payments: detail rows and per-currency totals (never a cross-currency total).
create view public.metrics_payments_detail with (security_invoker = true) as
select metric_date, provider, country_code, currency, attempts, fallback_attempts, successes, failures, refunds,
  success_rate, fallback_rate, refund_rate, gross_cents, refunded_cents, revenue_cents, avg_transaction_cents,
  attempts_succeeded, successes_refunded
from public.metrics_daily_payments
where provider is not null;

create view public.metrics_payments_currency_totals with (security_invoker = true) as
select metric_date, currency, attempts, fallback_attempts, successes, failures, refunds,
  success_rate, fallback_rate, refund_rate, gross_cents, refunded_cents, revenue_cents, avg_transaction_cents,
  attempts_succeeded, successes_refunded
from public.metrics_daily_payments
where provider is null;

comment on view public.metrics_payments_detail is
  'Payments per day, provider, country and currency (detail rows only): sum() of counts is safe; sum() of money only within one currency.';
comment on view public.metrics_payments_currency_totals is
  'Payments per day and currency over all providers and countries: sum() of counts is safe; money only within one currency (group by currency).';

-- Calls: detail rows and the grand total.
create view public.metrics_calls_detail with (security_invoker = true) as
select metric_date, service_code, provider, started, answered, completed, dropped, recorded,
  answer_rate, completion_rate, drop_rate, recording_rate,
  coalesce(round(duration_avg_s * completed)::bigint, 0) as duration_total_s, duration_avg_s, duration_p95_s,
  started_answered, answered_completed, answered_dropped, answered_recorded
from public.metrics_daily_calls
where service_code is not null;

create view public.metrics_calls_totals with (security_invoker = true) as
select metric_date, started, answered, completed, dropped, recorded,
  answer_rate, completion_rate, drop_rate, recording_rate,
  coalesce(round(duration_avg_s * completed)::bigint, 0) as duration_total_s, duration_avg_s, duration_p95_s,
  started_answered, answered_completed, answered_dropped, answered_recorded
from public.metrics_daily_calls
where service_code is null;

comment on view public.metrics_calls_detail is
  'Calls per day, service and provider (detail rows only): sum() is safe.';
comment on view public.metrics_calls_totals is
  'Calls per day over all services and providers (one row per day with call events): sum() is safe.';

-- Engagement and content have one row per day (no dimensions): the views add the numerators the
-- tables leave implicit and say what re-aggregates.
create view public.metrics_engagement_daily with (security_invoker = true) as
select metric_date, dau, wau, mau, notifications_sent, notifications_delivered, notifications_opened,
  notifications_opted_out, notification_ctr, opt_out_rate, listens,
  coalesce(round(listen_through_avg_pct * listens)::bigint, 0) as listen_percent_total, listen_through_avg_pct,
  delivered_opened, users_sent, users_sent_opted_out
from public.metrics_daily_engagement;

create view public.metrics_content_daily with (security_invoker = true) as
select metric_date, uploaded, approved, rejected, approved + rejected as decisions, published, signs_published,
  coverage_rate, approval_rate, approval_latency_avg_s, approval_latency_p95_s
from public.metrics_daily_content;

comment on view public.metrics_engagement_daily is
  'Engagement, one row per computed day: sum() of event counts is safe; DAU/WAU/MAU are distinct users and never sum.';
comment on view public.metrics_content_daily is
  'Horoscope content, one row per computed day: sum() of counts is safe.';

-- Column comments: each column name means the same in every view that has it, so its text is written
-- once (what it counts, whether it is additive, how to re-aggregate it) and applied to every view
-- with that column. A view column without a text is an error.
do $$
declare
  v_view text;
  v_column text;
  v_text text;
begin
  for v_view, v_column, v_text in
    select c.relname, a.attname, t.body
    from pg_catalog.pg_class c
    join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
    left join (values
      ('metric_date', 'Local day (reporting time zone, analytics.reporting_time_zone()) the row describes. Group by it, or by date_trunc(''week'', metric_date), to chart.'),
      ('service_code', 'Service. Dimension.'),
      ('reader_id', 'Reader assigned at the event time. Dimension.'),
      ('provider', 'Provider. Dimension.'),
      ('country_code', 'ISO 3166-1 alpha-2 country. Dimension.'),
      ('currency', 'ISO 4217 currency; every row is within one currency. Dimension: always group money by it.'),
      ('orders_created', 'order_created events. Additive (sum across days and rows).'),
      ('orders_assigned', 'order_assigned events. Additive.'),
      ('orders_completed', 'order_completed events. Additive.'),
      ('orders_cancelled', 'order_cancelled events. Additive.'),
      ('approvals', 'order_approved events; numerator of approval_rate. Additive.'),
      ('rejections', 'order_rejected events. Additive.'),
      ('decisions', 'approvals + rejections; denominator of approval_rate. Additive.'),
      ('approval_rate', 'approvals / decisions. Not additive: re-aggregate as sum(approvals)::float8 / nullif(sum(decisions), 0).'),
      ('rejection_loop_rate', 'Share of orders decided on the day with two or more rejections so far. Not additive, and not re-aggregatable from stored columns (its numerator and denominator are distinct orders, not stored); never sum or average it across days.'),
      ('ttf_response_avg_s', 'Mean seconds order_created -> order_assigned. Not additive; the count of its values is not stored, so a period mean cannot be rebuilt exactly (weighting by orders_assigned approximates it).'),
      ('ttf_response_p95_s', 'p95 seconds order_created -> order_assigned. Not additive and not re-aggregatable: never sum or average p95 values.'),
      ('ttf_delivery_avg_s', 'Mean seconds order_created -> order_completed. Not additive; weighting by orders_completed approximates a period mean.'),
      ('ttf_delivery_p95_s', 'p95 of the same. Not additive and not re-aggregatable.'),
      ('ttf_approval_avg_s', 'Mean seconds latest order_submitted -> decision. Not additive; weighting by decisions approximates a period mean.'),
      ('ttf_approval_p95_s', 'p95 of the same. Not additive and not re-aggregatable.'),
      ('attempts', 'payment_attempted events; denominator of success_rate and fallback_rate. Additive.'),
      ('fallback_attempts', 'Attempts on a fallback provider; numerator of fallback_rate. Additive.'),
      ('successes', 'payment_succeeded events; denominator of refund_rate and avg_transaction_cents. Additive.'),
      ('failures', 'payment_failed events. Additive.'),
      ('refunds', 'refund_issued events (of payments of any day). Additive.'),
      ('success_rate', 'attempts_succeeded / attempts (a share of the day''s attempts). Not additive: re-aggregate as sum(attempts_succeeded)::float8 / nullif(sum(attempts), 0).'),
      ('fallback_rate', 'fallback_attempts / attempts. Not additive: sum(fallback_attempts)::float8 / nullif(sum(attempts), 0).'),
      ('refund_rate', 'successes_refunded / successes (a share of the day''s successes). Not additive: sum(successes_refunded)::float8 / nullif(sum(successes), 0).'),
      ('attempts_succeeded', 'Attempts of the day answered by a success (so far); numerator of success_rate. Additive.'),
      ('successes_refunded', 'Successes of the day refunded (so far); numerator of refund_rate. Additive.'),
      ('gross_cents', 'Sum of succeeded amounts, integer minor units; numerator of avg_transaction_cents. Additive within one currency only.'),
      ('refunded_cents', 'Sum of refunded amounts, integer minor units. Additive within one currency only.'),
      ('revenue_cents', 'gross_cents - refunded_cents (may be negative). Additive within one currency only.'),
      ('avg_transaction_cents', 'Mean succeeded amount = gross_cents / successes. Not additive: sum(gross_cents)::float8 / nullif(sum(successes), 0), within one currency.'),
      ('started', 'call_started events; denominator of answer_rate. Additive.'),
      ('answered', 'call_answered events; denominator of completion_rate, drop_rate and recording_rate. Additive.'),
      ('completed', 'call_ended events; count behind duration_avg_s. Additive.'),
      ('dropped', 'call_dropped events. Additive.'),
      ('recorded', 'call_ended events with metadata.recorded = true. Additive.'),
      ('answer_rate', 'started_answered / started. Not additive: sum(started_answered)::float8 / nullif(sum(started), 0).'),
      ('completion_rate', 'answered_completed / answered. Not additive: sum(answered_completed)::float8 / nullif(sum(answered), 0).'),
      ('drop_rate', 'answered_dropped / answered. Not additive: sum(answered_dropped)::float8 / nullif(sum(answered), 0).'),
      ('recording_rate', 'answered_recorded / answered. Not additive: sum(answered_recorded)::float8 / nullif(sum(answered), 0).'),
      ('started_answered', 'Calls started on the day that were answered (so far); numerator of answer_rate. Additive.'),
      ('answered_completed', 'Calls answered on the day that ended normally (so far); numerator of completion_rate. Additive.'),
      ('answered_dropped', 'Calls answered on the day that dropped (so far); numerator of drop_rate. Additive.'),
      ('answered_recorded', 'Calls answered on the day that ended recorded (so far); numerator of recording_rate. Additive.'),
      ('duration_total_s', 'Total seconds of the ended calls (duration_avg_s x completed; every call_ended carries whole-second duration_seconds). Additive.'),
      ('duration_avg_s', 'Mean duration of ended calls. Not additive: sum(duration_total_s)::float8 / nullif(sum(completed), 0).'),
      ('duration_p95_s', 'p95 duration of ended calls. Not additive and not re-aggregatable: never sum or average p95 values.'),
      ('dau', 'Distinct users with a user-initiated event on the day. Not additive: a sum over days counts a user once per active day.'),
      ('wau', 'Distinct users active (user-initiated events) in the 7 days ending on the day. Not additive; read the value of the last day of a week.'),
      ('mau', 'Distinct users active (user-initiated events) in the 30 days ending on the day. Not additive; read the value of the last day of a period.'),
      ('notifications_sent', 'notification_sent events. Additive.'),
      ('notifications_delivered', 'notification_delivered events; denominator of notification_ctr. Additive.'),
      ('notifications_opened', 'notification_opened events (of notifications delivered any day). Additive.'),
      ('notifications_opted_out', 'notification_opted_out events. Additive.'),
      ('notification_ctr', 'delivered_opened / notifications_delivered. Not additive: sum(delivered_opened)::float8 / nullif(sum(notifications_delivered), 0).'),
      ('opt_out_rate', 'users_sent_opted_out / users_sent (distinct users of the day). Not additive, and not re-aggregatable over days (a user sent on several days counts on each).'),
      ('delivered_opened', 'Notifications delivered on the day that were opened (so far); numerator of notification_ctr. Additive.'),
      ('users_sent', 'Distinct users sent a notification on the day; denominator of opt_out_rate. Not additive across days.'),
      ('users_sent_opted_out', 'Of users_sent, those who opted out on the day or later (so far); numerator of opt_out_rate. Not additive across days.'),
      ('listens', 'horoscope_listened events; denominator of listen_through_avg_pct. Additive.'),
      ('listen_percent_total', 'Sum of listen_percent over the listens (listen_through_avg_pct x listens; listen_percent is a whole number). Additive.'),
      ('listen_through_avg_pct', 'Mean listen_percent (0..100). Not additive: sum(listen_percent_total)::float8 / nullif(sum(listens), 0).'),
      ('uploaded', 'horoscope_uploaded events. Additive.'),
      ('approved', 'horoscope_approved events; numerator of approval_rate. Additive.'),
      ('rejected', 'horoscope_rejected events. Additive.'),
      ('published', 'horoscope_published events. Additive.'),
      ('signs_published', 'Distinct zodiac signs published on the day (0..12). Additive only as sign-days: sum(signs_published) / (12 x days) is the mean daily coverage.'),
      ('coverage_rate', 'signs_published / 12. Not additive: mean daily coverage = sum(signs_published)::float8 / (12 * count(*)).'),
      ('approval_latency_avg_s', 'Mean seconds upload -> approval. Not additive; the count of its values is not stored (weighting by approved approximates a period mean).'),
      ('approval_latency_p95_s', 'p95 of the same. Not additive and not re-aggregatable.')
    ) as t (column_name, body) on t.column_name = a.attname
    where c.relnamespace = 'public'::regnamespace
      and c.relname in ('metrics_fulfillment_detail', 'metrics_fulfillment_service_totals',
        'metrics_fulfillment_reader_totals', 'metrics_fulfillment_totals', 'metrics_payments_detail',
        'metrics_payments_currency_totals', 'metrics_calls_detail', 'metrics_calls_totals',
        'metrics_engagement_daily', 'metrics_content_daily')
  loop
    if v_text is null then
      raise exception 'no comment written for column %.%', v_view, v_column;
    end if;
    execute format('comment on column public.%I.%I is %L', v_view, v_column, v_text);
  end loop;
end
$$;

-- The content approval_rate has the same shape as fulfillment's but other columns.
comment on column public.metrics_content_daily.approval_rate is
  'approved / decisions. Not additive: re-aggregate as sum(approved)::float8 / nullif(sum(decisions), 0).';
comment on column public.metrics_content_daily.decisions is
  'approved + rejected; denominator of approval_rate. Additive.';

revoke all on public.metrics_fulfillment_detail, public.metrics_fulfillment_service_totals,
  public.metrics_fulfillment_reader_totals, public.metrics_fulfillment_totals, public.metrics_payments_detail,
  public.metrics_payments_currency_totals, public.metrics_calls_detail, public.metrics_calls_totals,
  public.metrics_engagement_daily, public.metrics_content_daily from public, anon, authenticated;
grant select on public.metrics_fulfillment_detail, public.metrics_fulfillment_service_totals,
  public.metrics_fulfillment_reader_totals, public.metrics_fulfillment_totals, public.metrics_payments_detail,
  public.metrics_payments_currency_totals, public.metrics_calls_detail, public.metrics_calls_totals,
  public.metrics_engagement_daily, public.metrics_content_daily to authenticated, service_role, bi_reader;

-- Payments and calls KPIs for one UTC day: one scan of the domain's events each, one grouping-sets
-- aggregate. A detail row needs every dimension set; events missing one count only in the totals.
-- metadata.is_fallback / metadata.recorded count only when they are JSON true.

create or replace function analytics.write_payments_metrics(p_date date)
returns bigint
language plpgsql
set search_path = ''
as $$
declare
  v_from timestamptz := p_date::timestamp at time zone 'UTC';
  v_to timestamptz := (p_date + 1)::timestamp at time zone 'UTC';
  v_rows bigint;
begin
  delete from public.metrics_daily_payments where metric_date = p_date;

  -- Totals are per currency (grouping set (currency)); nothing is ever summed across currencies.
  insert into public.metrics_daily_payments (
    metric_date, provider, country_code, currency, attempts, fallback_attempts, successes, failures, refunds,
    success_rate, fallback_rate, refund_rate, gross_cents, refunded_cents, revenue_cents, avg_transaction_cents)
  select p_date, c.provider, c.country_code, c.currency, c.attempts, c.fallback_attempts, c.successes, c.failures,
    c.refunds,
    c.successes::double precision / nullif(c.attempts, 0),
    c.fallback_attempts::double precision / nullif(c.attempts, 0),
    c.refunds::double precision / nullif(c.successes, 0),
    c.gross_cents, c.refunded_cents, c.gross_cents - c.refunded_cents, c.avg_transaction_cents
  from (
    select e.provider, e.country_code, e.currency,
      count(*) filter (where e.event_type = 'payment_attempted') as attempts,
      count(*) filter (where e.event_type = 'payment_attempted' and e.metadata -> 'is_fallback' = 'true'::jsonb) as fallback_attempts,
      count(*) filter (where e.event_type = 'payment_succeeded') as successes,
      count(*) filter (where e.event_type = 'payment_failed') as failures,
      count(*) filter (where e.event_type = 'refund_issued') as refunds,
      coalesce(sum(e.amount_cents) filter (where e.event_type = 'payment_succeeded'), 0)::bigint as gross_cents,
      coalesce(sum(e.amount_cents) filter (where e.event_type = 'refund_issued'), 0)::bigint as refunded_cents,
      avg(e.amount_cents::double precision) filter (where e.event_type = 'payment_succeeded') as avg_transaction_cents
    from public.events_raw e
    where e.event_timestamp >= v_from and e.event_timestamp < v_to and e.event_domain = 'payments'
      and e.currency is not null
    group by grouping sets ((e.provider, e.country_code, e.currency), (e.currency))
    having not (grouping(e.provider) = 0 and (e.provider is null or e.country_code is null))
  ) c;

  get diagnostics v_rows = row_count;
  return v_rows;
end;
$$;
comment on function analytics.write_payments_metrics(date) is
  'Delete-then-insert of metrics_daily_payments for one UTC day; call through compute_daily_payments_metrics.';
revoke all on function analytics.write_payments_metrics(date) from public, anon, authenticated;

create or replace function analytics.write_calls_metrics(p_date date)
returns bigint
language plpgsql
set search_path = ''
as $$
declare
  v_from timestamptz := p_date::timestamp at time zone 'UTC';
  v_to timestamptz := (p_date + 1)::timestamp at time zone 'UTC';
  v_rows bigint;
begin
  delete from public.metrics_daily_calls where metric_date = p_date;

  insert into public.metrics_daily_calls (
    metric_date, service_code, provider, started, answered, completed, dropped, recorded,
    answer_rate, completion_rate, drop_rate, recording_rate, duration_avg_s, duration_p95_s)
  select p_date, c.service_code, c.provider, c.started, c.answered, c.completed, c.dropped, c.recorded,
    c.answered::double precision / nullif(c.started, 0),
    c.completed::double precision / nullif(c.answered, 0),
    c.dropped::double precision / nullif(c.answered, 0),
    c.recorded::double precision / nullif(c.answered, 0),
    c.duration_avg_s, c.duration_p95_s
  from (
    select e.service_code, e.provider,
      count(*) filter (where e.event_type = 'call_started') as started,
      count(*) filter (where e.event_type = 'call_answered') as answered,
      count(*) filter (where e.event_type = 'call_ended') as completed,
      count(*) filter (where e.event_type = 'call_dropped') as dropped,
      count(*) filter (where e.event_type = 'call_ended' and e.metadata -> 'recorded' = 'true'::jsonb) as recorded,
      avg(e.duration_seconds::double precision) filter (where e.event_type = 'call_ended') as duration_avg_s,
      percentile_cont(0.95) within group (order by e.duration_seconds::double precision)
        filter (where e.event_type = 'call_ended') as duration_p95_s
    from public.events_raw e
    where e.event_timestamp >= v_from and e.event_timestamp < v_to and e.event_domain = 'calls'
    group by grouping sets ((e.service_code, e.provider), ())
    -- count(*) > 0: the grand-total grouping set yields a row even for an empty day.
    having count(*) > 0 and not (grouping(e.service_code) = 0 and (e.service_code is null or e.provider is null))
  ) c;

  get diagnostics v_rows = row_count;
  return v_rows;
end;
$$;
comment on function analytics.write_calls_metrics(date) is
  'Delete-then-insert of metrics_daily_calls for one UTC day; call through compute_daily_calls_metrics.';
revoke all on function analytics.write_calls_metrics(date) from public, anon, authenticated;

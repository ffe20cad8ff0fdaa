-- Payment KPIs for one UTC day: one scan of the day's payment events, one grouping-sets aggregate.
-- A detail row needs every dimension set; events missing one count only in the per-currency totals.
-- metadata.is_fallback counts only when it is JSON true. jit = off: see etl/runs.sql.
create or replace function analytics.write_payments_metrics(p_date date)
returns bigint
language plpgsql
set search_path = ''
set jit = off
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
grant execute on function analytics.write_payments_metrics(date) to service_role;

-- Revenue by currency, one point per day and currency: a 90-day revenue chart with a line per currency.
-- $1 = first day, $2 = last day (inclusive, YYYY-MM-DD); for the last 90 days pass
-- current_date - 90 and current_date - 1.
-- The per-currency totals view has exactly one row per day and currency, so nothing is counted
-- twice and money is never added across currencies.
select metric_date, currency, revenue_cents, gross_cents, refunded_cents
from public.metrics_payments_currency_totals
where metric_date between $1::date and $2::date
order by metric_date, currency;

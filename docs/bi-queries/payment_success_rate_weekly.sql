-- Weekly payment success rate over all currencies: the rate is recomputed from its numerator and
-- denominator (attempts a success answered / attempts), never by averaging or summing daily rates.
-- $1 = first day, $2 = last day (inclusive, YYYY-MM-DD). Weeks start on Monday; days_with_data
-- shows how much of a week at either end of the range is included.
select date_trunc('week', metric_date::timestamp)::date as week_start,
  count(distinct metric_date)::int as days_with_data,
  sum(attempts)::bigint as attempts,
  sum(attempts_succeeded)::bigint as attempts_succeeded,
  sum(attempts_succeeded)::double precision / nullif(sum(attempts), 0) as success_rate
from public.metrics_payments_currency_totals
where metric_date between $1::date and $2::date
group by 1
order by 1;

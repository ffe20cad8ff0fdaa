-- Payment KPIs for one local day (the v2 rules: etl/fulfillment.sql's header): one scan of the
-- day's payment events, one grouping-sets aggregate. A detail row needs every dimension set; events
-- missing one count only in the per-currency totals. metadata.is_fallback counts only when it is
-- JSON true. success_rate = attempts answered by a success / attempts; refund_rate = successes
-- answered by a refund / successes (each refund answers the latest success of its payment).
create or replace function analytics.write_payments_metrics(p_date date)
returns bigint
language plpgsql
set search_path = ''
set plan_cache_mode = force_custom_plan
set jit = off
set work_mem = '128MB'
as $$
declare
  v_zone text := analytics.reporting_time_zone();
  v_from timestamptz := p_date::timestamp at time zone v_zone;
  v_to timestamptz := (p_date + 1)::timestamp at time zone v_zone;
  v_rows bigint;
  v_orphans text[];
begin
  delete from public.metrics_daily_payments where metric_date = p_date;
  delete from analytics.etl_share_same_day where metric_date = p_date and share in ('success', 'refund');

  with day_events as materialized (
    -- One-letter event codes: the many filters below compare a byte, not text.
    select e.event_id, e.entity_id, (case e.event_type when 'payment_attempted' then 'a' when 'payment_succeeded' then 's'
        when 'payment_failed' then 'f' when 'refund_issued' then 'r' end)::"char" as code,
      e.event_timestamp, e.provider, e.country_code, e.currency, e.amount_cents,
      e.metadata -> 'is_fallback' = 'true'::jsonb as is_fallback
    from public.events_raw e
    where e.event_timestamp >= v_from and e.event_timestamp < v_to and e.event_domain = 'payments'
  ),
  -- Each payment's attempts, successes and refunds of the day.
  entities as (
    select d.entity_id,
      count(*) filter (where d.code = 'a') as attempts,
      count(*) filter (where d.code = 's') as successes,
      min(d.event_timestamp) filter (where d.code = 'a') as attempt_at,
      min(d.event_timestamp) filter (where d.code = 's') as success_at,
      min(d.event_timestamp) filter (where d.code = 'r') as first_refund_at,
      max(d.event_timestamp) filter (where d.code = 'r') as last_refund_at
    from day_events d
    where d.entity_id is not null and d.code in ('a', 's', 'r')
    group by d.entity_id
  ),
  -- At most one attempt and one success on the day (the common case): the answers follow from the
  -- times (a success answers the attempt at or before it, a refund the success at or before it), and
  -- an outcome before any denominator of its kind answers an earlier day.
  simple as (
    select s.entity_id,
      coalesce(s.success_at >= s.attempt_at, false) as attempt_answered,
      coalesce(s.last_refund_at >= s.success_at, false) as success_answered,
      (s.success_at is not null and not coalesce(s.attempt_at <= s.success_at, false))
        or (s.first_refund_at is not null and not coalesce(s.success_at <= s.first_refund_at, false)) as orphan
    from entities s
    where s.attempts <= 1 and s.successes <= 1
  ),
  -- Retried payments: their events in answer order (time, then attempt, success, refund, event id).
  retried as (
    select d.event_id, d.entity_id, d.code,
      lpad(((extract(epoch from d.event_timestamp) * 1000000)::bigint)::text, 20, '0')
        || case d.code when 'a' then '0' when 's' then '1' else '2' end
        || d.event_id::text collate "C" as k
    from day_events d
    where d.code in ('a', 's', 'r')
      and d.entity_id in (select s.entity_id from entities s where s.attempts > 1 or s.successes > 1)
  ),
  ordered as (
    select r.entity_id, r.code,
      max(r.k) filter (where r.code = 'a') over w as last_attempt,
      max(r.k) filter (where r.code = 's') over w as last_success
    from retried r
    window w as (partition by r.entity_id collate "C" order by r.k rows between unbounded preceding and current row)
  ),
  retried_answered as (
    select r.event_id from retried r
    where r.k in (select o.last_attempt from ordered o where o.code = 's'
                  union all
                  select o.last_success from ordered o where o.code = 'r')
  ),
  answered_later as (
    select l.denominator_event_id as event_id, l.share from analytics.etl_share_links l
    where l.target_day = p_date and l.share in ('success', 'refund')
  ),
  flagged as (
    select d.provider, d.country_code, d.currency, d.code, d.amount_cents, d.is_fallback, a.answered_same_day,
      a.answered_same_day or l.event_id is not null as answered
    from day_events d
    left join simple s on s.entity_id = d.entity_id
    left join retried_answered t on t.event_id = d.event_id
    cross join lateral (select case d.code when 'a' then coalesce(s.attempt_answered, false)
                                           when 's' then coalesce(s.success_answered, false)
                                           else false end
                               or t.event_id is not null as answered_same_day) a
    left join answered_later l on l.event_id = d.event_id
      and l.share = case d.code when 'a' then 'success' when 's' then 'refund' end
    where d.currency is not null
  ),
  -- Totals are per currency (grouping set (currency)); nothing is ever summed across currencies.
  counted as (
    select f.provider, f.country_code, f.currency,
      count(*) filter (where f.code = 'a') as attempts,
      count(*) filter (where f.code = 'a' and f.is_fallback) as fallback_attempts,
      count(*) filter (where f.code = 's') as successes,
      count(*) filter (where f.code = 'f') as failures,
      count(*) filter (where f.code = 'r') as refunds,
      count(*) filter (where f.code = 'a' and f.answered_same_day) as attempts_answered_same_day,
      count(*) filter (where f.code = 'a' and f.answered) as attempts_answered,
      count(*) filter (where f.code = 's' and f.answered_same_day) as successes_refunded_same_day,
      count(*) filter (where f.code = 's' and f.answered) as successes_refunded,
      coalesce(sum(f.amount_cents) filter (where f.code = 's'), 0)::bigint as gross_cents,
      coalesce(sum(f.amount_cents) filter (where f.code = 'r'), 0)::bigint as refunded_cents,
      avg(f.amount_cents::double precision) filter (where f.code = 's') as avg_transaction_cents
    from flagged f
    group by grouping sets ((f.provider, f.country_code, f.currency), (f.currency))
    having not (grouping(f.provider) = 0 and (f.provider is null or f.country_code is null))
  ),
  same_day as (
    insert into analytics.etl_share_same_day (metric_date, share, dim1, dim2, dim3, answered, denominator)
    select p_date, 'success', c.provider, c.country_code, c.currency, c.attempts_answered_same_day, c.attempts from counted c
    union all
    select p_date, 'refund', c.provider, c.country_code, c.currency, c.successes_refunded_same_day, c.successes from counted c
  ),
  inserted as (
    insert into public.metrics_daily_payments (
      metric_date, provider, country_code, currency, attempts, fallback_attempts, successes, failures, refunds,
      attempts_succeeded, successes_refunded,
      success_rate, fallback_rate, refund_rate, gross_cents, refunded_cents, revenue_cents, avg_transaction_cents)
    select p_date, c.provider, c.country_code, c.currency, c.attempts, c.fallback_attempts, c.successes, c.failures,
      c.refunds, c.attempts_answered, c.successes_refunded,
      c.attempts_answered::double precision / nullif(c.attempts, 0),
      c.fallback_attempts::double precision / nullif(c.attempts, 0),
      c.successes_refunded::double precision / nullif(c.successes, 0),
      c.gross_cents, c.refunded_cents, c.gross_cents - c.refunded_cents, c.avg_transaction_cents
    from counted c
    returning 1
  )
  select (select count(*) from inserted),
    (select array_agg(x.entity_id) from (
       select s.entity_id from simple s where s.orphan
       union
       select o.entity_id from ordered o
       where (o.code = 's' and o.last_attempt is null)
          or (o.code = 'r' and o.last_success is null)) x)
  into v_rows, v_orphans;

  -- Outcomes of the day that answer an earlier day's attempt or success: their links, and the
  -- rates of the days they answer.
  perform analytics.refresh_share_rates('payments', array(
    select analytics.recompute_share_links('payments', v_orphans, greatest(analytics.etl_horizon(), v_to))));
  return v_rows;
end;
$$;
comment on function analytics.write_payments_metrics(date) is
  'Delete-then-insert of metrics_daily_payments for one local day, rates as shares (answers of the day plus later links); links the day''s outcomes that answer earlier days and recounts those days'' rates. Call through compute_daily_payments_metrics.';
revoke all on function analytics.write_payments_metrics(date) from public, anon, authenticated;
grant execute on function analytics.write_payments_metrics(date) to service_role;

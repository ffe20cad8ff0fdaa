-- The ETL writers of KPI contract v2 (DESIGN.md §10), each defined whole (settings, grants,
-- comments as before: jit = off everywhere, 20261201000300).
-- - Days are local days in the reporting time zone (analytics.reporting_time_zone()): a writer's
--   window is [D 00:00, D+1 00:00) local, 23 or 25 hours on a DST change day.
-- - No fixed look-back: an order's or horoscope's history is everything stored before the day
--   (events_raw_lifecycle_entity_idx).
-- - Active users: user-initiated events only (analytics.user_initiated_event_types()).
-- - Rates are shares attributed to the denominator's day (20261204000620): each writer counts the
--   answers on its own day, adds the links of answers that came later, and looks up the earlier
--   events that its day's unanswered outcomes answer, recounting those days' rates.

-- Fulfillment: as 20261201000600 (collation "C" sorts, the reader as a running max), in local days
-- and with the whole stored history of the orders not created on the day.
create or replace function analytics.write_fulfillment_metrics(p_date date)
returns bigint
language plpgsql
set search_path = ''
set jit = off
as $$
declare
  v_zone text := analytics.reporting_time_zone();
  v_from timestamptz := p_date::timestamp at time zone v_zone;
  v_to timestamptz := (p_date + 1)::timestamp at time zone v_zone;
  v_rows bigint;
begin
  delete from public.metrics_daily_fulfillment where metric_date = p_date;

  with day_events as materialized (
    select e.entity_id, e.event_type, e.event_timestamp, e.service_code,
      case when e.event_type = 'order_assigned' then e.metadata ->> 'reader_id' end as assigned_reader
    from public.events_raw e
    where e.event_timestamp >= v_from and e.event_timestamp < v_to and e.event_domain = 'orders'
  ),
  history as (
    select d.*, true as on_day from day_events d
    union all
    select e.entity_id, e.event_type, e.event_timestamp, e.service_code,
      case when e.event_type = 'order_assigned' then e.metadata ->> 'reader_id' end, false
    from public.events_raw e
    where e.event_domain = 'orders' and e.event_timestamp < v_from
      and e.entity_id in (
        -- An order created on the day began on it: nothing earlier belongs to it.
        select d.entity_id from day_events d group by d.entity_id
        having not bool_or(d.event_type = 'order_created'))
  ),
  -- Running state of each order at each event (range frame: events at the same instant included).
  ordered as (
    select h.*,
      min(h.event_timestamp) filter (where h.event_type = 'order_created') over w as created_at,
      max(h.event_timestamp) filter (where h.event_type = 'order_submitted') over w as submitted_at,
      -- The latest assignment so far as '<20-digit epoch microseconds><reader id>': its max is the
      -- latest instant's, and there the greatest reader id ('' for none sorts first).
      max(lpad(((extract(epoch from h.event_timestamp) * 1000000)::bigint)::text, 20, '0') || coalesce(h.assigned_reader, '') collate "C")
        filter (where h.event_type = 'order_assigned') over w as latest_assignment,
      count(*) filter (where h.event_type = 'order_rejected') over (partition by h.entity_id collate "C") as rejections_to_date
    from history h
    window w as (partition by h.entity_id collate "C" order by h.event_timestamp)
  ),
  attributed as (
    select o.on_day, o.entity_id collate "C" as entity_id, o.event_type, o.service_code collate "C" as service_code,
      o.rejections_to_date,
      case when o.entity_id is not null then nullif(substr(o.latest_assignment, 21), '')::uuid end as reader_id,
      o.event_type in ('order_approved', 'order_rejected') as is_decision,
      case when o.entity_id is not null and o.event_type = 'order_assigned' then
        (extract(epoch from o.event_timestamp) - extract(epoch from o.created_at))::double precision end as ttf_response,
      case when o.entity_id is not null and o.event_type = 'order_completed' then
        (extract(epoch from o.event_timestamp) - extract(epoch from o.created_at))::double precision end as ttf_delivery,
      case when o.entity_id is not null and o.event_type in ('order_approved', 'order_rejected') then
        (extract(epoch from o.event_timestamp) - extract(epoch from o.submitted_at))::double precision end as ttf_approval
    from ordered o
  ),
  counted as (
    select a.service_code, a.reader_id,
      count(*) filter (where a.event_type = 'order_created') as orders_created,
      count(*) filter (where a.event_type = 'order_assigned') as orders_assigned,
      count(*) filter (where a.event_type = 'order_completed') as orders_completed,
      count(*) filter (where a.event_type = 'order_cancelled') as orders_cancelled,
      count(*) filter (where a.event_type = 'order_approved') as approvals,
      count(*) filter (where a.event_type = 'order_rejected') as rejections,
      count(distinct a.entity_id) filter (where a.is_decision) as decided_orders,
      count(distinct a.entity_id) filter (where a.is_decision and a.rejections_to_date >= 2) as looped_orders,
      avg(a.ttf_response) as ttf_response_avg_s,
      percentile_cont(0.95) within group (order by a.ttf_response) as ttf_response_p95_s,
      avg(a.ttf_delivery) as ttf_delivery_avg_s,
      percentile_cont(0.95) within group (order by a.ttf_delivery) as ttf_delivery_p95_s,
      avg(a.ttf_approval) as ttf_approval_avg_s,
      percentile_cont(0.95) within group (order by a.ttf_approval) as ttf_approval_p95_s
    from attributed a
    where a.on_day -- after the windows: earlier events still carry their assignment forward
    group by grouping sets ((a.service_code, a.reader_id), (a.service_code), (a.reader_id), ())
    -- count(*) > 0: the grand-total grouping set yields a row even for an empty day.
    having count(*) > 0 and not ((grouping(a.service_code) = 0 and a.service_code is null)
             or (grouping(a.reader_id) = 0 and a.reader_id is null))
  )
  insert into public.metrics_daily_fulfillment (
    metric_date, service_code, reader_id, orders_created, orders_assigned, orders_completed, orders_cancelled,
    approvals, rejections, approval_rate, rejection_loop_rate, ttf_response_avg_s, ttf_response_p95_s,
    ttf_delivery_avg_s, ttf_delivery_p95_s, ttf_approval_avg_s, ttf_approval_p95_s)
  select p_date, c.service_code, c.reader_id, c.orders_created, c.orders_assigned, c.orders_completed, c.orders_cancelled,
    c.approvals, c.rejections,
    c.approvals::double precision / nullif(c.approvals + c.rejections, 0),
    c.looped_orders::double precision / nullif(c.decided_orders, 0),
    c.ttf_response_avg_s, c.ttf_response_p95_s, c.ttf_delivery_avg_s, c.ttf_delivery_p95_s,
    c.ttf_approval_avg_s, c.ttf_approval_p95_s
  from counted c;

  get diagnostics v_rows = row_count;
  return v_rows;
end;
$$;
comment on function analytics.write_fulfillment_metrics(date) is
  'Delete-then-insert of metrics_daily_fulfillment for one local day (reporting time zone); call through compute_daily_fulfillment_metrics (locking, logging). Orders not created on the day are read with their whole stored history; sorts in collation "C".';
revoke all on function analytics.write_fulfillment_metrics(date) from public, anon, authenticated;
grant execute on function analytics.write_fulfillment_metrics(date) to service_role;

-- Payments: success_rate = attempts answered by a success / attempts; refund_rate = successes
-- answered by a refund / successes (each refund answers the latest success of its payment).
create or replace function analytics.write_payments_metrics(p_date date)
returns bigint
language plpgsql
set search_path = ''
set jit = off
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
    select e.event_id, e.entity_id, e.event_type, e.provider, e.country_code, e.currency, e.amount_cents,
      e.metadata -> 'is_fallback' = 'true'::jsonb as is_fallback,
      -- Order of answers: time, then attempt, success, refund, then event id.
      lpad(((extract(epoch from e.event_timestamp) * 1000000)::bigint)::text, 20, '0')
        || case e.event_type when 'payment_attempted' then '0' when 'payment_succeeded' then '1' else '2' end
        || e.event_id::text collate "C" as k
    from public.events_raw e
    where e.event_timestamp >= v_from and e.event_timestamp < v_to and e.event_domain = 'payments'
  ),
  ordered as (
    select d.entity_id, d.event_type,
      max(d.k) filter (where d.event_type = 'payment_attempted') over w as last_attempt,
      max(d.k) filter (where d.event_type = 'payment_succeeded') over w as last_success
    from day_events d
    where d.entity_id is not null and d.event_type in ('payment_attempted', 'payment_succeeded', 'refund_issued')
    window w as (partition by d.entity_id collate "C" order by d.k rows between unbounded preceding and current row)
  ),
  -- Denominators answered on the day, and the outcomes whose answer lies on an earlier day.
  answered_today as (
    select o.last_attempt as k from ordered o where o.event_type = 'payment_succeeded' and o.last_attempt is not null
    union
    select o.last_success from ordered o where o.event_type = 'refund_issued' and o.last_success is not null
  ),
  answered_later as (
    select l.denominator_event_id as event_id, l.share from analytics.etl_share_links l
    where l.target_day = p_date and l.share in ('success', 'refund')
  ),
  flagged as (
    select d.provider, d.country_code, d.currency, d.event_type, d.amount_cents, d.is_fallback,
      t.k is not null as answered_same_day, t.k is not null or l.event_id is not null as answered
    from day_events d
    left join answered_today t on t.k = d.k
    left join answered_later l on l.event_id = d.event_id
      and l.share = case d.event_type when 'payment_attempted' then 'success' when 'payment_succeeded' then 'refund' end
    where d.currency is not null
  ),
  -- Totals are per currency (grouping set (currency)); nothing is ever summed across currencies.
  counted as (
    select f.provider, f.country_code, f.currency,
      count(*) filter (where f.event_type = 'payment_attempted') as attempts,
      count(*) filter (where f.event_type = 'payment_attempted' and f.is_fallback) as fallback_attempts,
      count(*) filter (where f.event_type = 'payment_succeeded') as successes,
      count(*) filter (where f.event_type = 'payment_failed') as failures,
      count(*) filter (where f.event_type = 'refund_issued') as refunds,
      count(*) filter (where f.event_type = 'payment_attempted' and f.answered_same_day) as attempts_answered_same_day,
      count(*) filter (where f.event_type = 'payment_attempted' and f.answered) as attempts_answered,
      count(*) filter (where f.event_type = 'payment_succeeded' and f.answered_same_day) as successes_refunded_same_day,
      count(*) filter (where f.event_type = 'payment_succeeded' and f.answered) as successes_refunded,
      coalesce(sum(f.amount_cents) filter (where f.event_type = 'payment_succeeded'), 0)::bigint as gross_cents,
      coalesce(sum(f.amount_cents) filter (where f.event_type = 'refund_issued'), 0)::bigint as refunded_cents,
      avg(f.amount_cents::double precision) filter (where f.event_type = 'payment_succeeded') as avg_transaction_cents
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
    (select array_agg(distinct o.entity_id) from ordered o
     where (o.event_type = 'payment_succeeded' and o.last_attempt is null)
        or (o.event_type = 'refund_issued' and o.last_success is null))
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

-- Calls: answer_rate = starts answered / started; completion, drop and recording rates = answers
-- that ended normally / dropped / ended recorded, over answered.
create or replace function analytics.write_calls_metrics(p_date date)
returns bigint
language plpgsql
set search_path = ''
set jit = off
as $$
declare
  v_zone text := analytics.reporting_time_zone();
  v_from timestamptz := p_date::timestamp at time zone v_zone;
  v_to timestamptz := (p_date + 1)::timestamp at time zone v_zone;
  v_rows bigint;
  v_orphans text[];
begin
  delete from public.metrics_daily_calls where metric_date = p_date;
  delete from analytics.etl_share_same_day where metric_date = p_date and share in ('answer', 'completion', 'drop', 'recording');

  with day_events as materialized (
    select e.event_id, e.entity_id, e.event_type, e.event_timestamp, e.service_code, e.provider, e.duration_seconds,
      coalesce(e.metadata -> 'recorded' = 'true'::jsonb, false) as recorded
    from public.events_raw e
    where e.event_timestamp >= v_from and e.event_timestamp < v_to and e.event_domain = 'calls'
  ),
  -- Each call's events in answer order (time; start, answer, then end or drop; event id).
  numbered as (
    select d.*, row_number() over w as pos
    from day_events d
    where d.entity_id is not null
    window w as (partition by d.entity_id collate "C"
                 order by d.event_timestamp, case d.event_type when 'call_started' then 0 when 'call_answered' then 1 else 2 end, d.event_id)
  ),
  -- A denominator is answered on the day when its entity's next outcome comes before its next
  -- denominator; an outcome with no denominator before it answers one of an earlier day.
  answers as (
    select n.event_id, n.event_type,
      min(n.pos) filter (where n.event_type = 'call_started') over later as next_started,
      min(n.pos) filter (where n.event_type = 'call_answered') over later as next_answered,
      min(n.pos) filter (where n.event_type = 'call_ended') over later as next_ended,
      min(n.pos) filter (where n.event_type = 'call_dropped') over later as next_dropped,
      min(n.pos) filter (where n.event_type = 'call_ended' and n.recorded) over later as next_recorded,
      bool_or(n.event_type = 'call_started') over earlier as started_before,
      bool_or(n.event_type = 'call_answered') over earlier as answered_before,
      n.entity_id
    from numbered n
    window w as (partition by n.entity_id collate "C"
                 order by n.event_timestamp, case n.event_type when 'call_started' then 0 when 'call_answered' then 1 else 2 end, n.event_id),
      later as (w rows between 1 following and unbounded following),
      earlier as (w rows between unbounded preceding and current row)
  ),
  answered_today as (
    select a.event_id,
      a.event_type = 'call_started' and a.next_answered < coalesce(a.next_started, a.next_answered + 1) as answer,
      a.event_type = 'call_answered' and a.next_ended < coalesce(a.next_answered, a.next_ended + 1) as completion,
      a.event_type = 'call_answered' and a.next_dropped < coalesce(a.next_answered, a.next_dropped + 1) as dropped,
      a.event_type = 'call_answered' and a.next_recorded < coalesce(a.next_answered, a.next_recorded + 1) as recording
    from answers a
    where a.event_type in ('call_started', 'call_answered')
  ),
  answered_later as (
    select l.denominator_event_id as event_id, bool_or(l.share = 'answer') as answer,
      bool_or(l.share = 'completion') as completion, bool_or(l.share = 'drop') as dropped,
      bool_or(l.share = 'recording') as recording
    from analytics.etl_share_links l
    where l.target_day = p_date and l.share in ('answer', 'completion', 'drop', 'recording')
    group by l.denominator_event_id
  ),
  flagged as (
    select d.service_code, d.provider, d.event_type, d.duration_seconds, d.recorded,
      coalesce(t.answer, false) as answer_same_day, coalesce(t.answer, false) or coalesce(l.answer, false) as answer,
      coalesce(t.completion, false) as completion_same_day,
      coalesce(t.completion, false) or coalesce(l.completion, false) as completion,
      coalesce(t.dropped, false) as drop_same_day, coalesce(t.dropped, false) or coalesce(l.dropped, false) as dropped,
      coalesce(t.recording, false) as recording_same_day,
      coalesce(t.recording, false) or coalesce(l.recording, false) as recording_answer
    from day_events d
    left join answered_today t on t.event_id = d.event_id
    left join answered_later l on l.event_id = d.event_id
  ),
  counted as (
    select f.service_code, f.provider,
      count(*) filter (where f.event_type = 'call_started') as started,
      count(*) filter (where f.event_type = 'call_answered') as answered,
      count(*) filter (where f.event_type = 'call_ended') as completed,
      count(*) filter (where f.event_type = 'call_dropped') as dropped,
      count(*) filter (where f.event_type = 'call_ended' and f.recorded) as recorded,
      count(*) filter (where f.event_type = 'call_started' and f.answer_same_day) as answer_same_day,
      count(*) filter (where f.event_type = 'call_started' and f.answer) as answer_num,
      count(*) filter (where f.event_type = 'call_answered' and f.completion_same_day) as completion_same_day,
      count(*) filter (where f.event_type = 'call_answered' and f.completion) as completion_num,
      count(*) filter (where f.event_type = 'call_answered' and f.drop_same_day) as drop_same_day,
      count(*) filter (where f.event_type = 'call_answered' and f.dropped) as drop_num,
      count(*) filter (where f.event_type = 'call_answered' and f.recording_same_day) as recording_same_day,
      count(*) filter (where f.event_type = 'call_answered' and f.recording_answer) as recording_num,
      avg(f.duration_seconds::double precision) filter (where f.event_type = 'call_ended') as duration_avg_s,
      percentile_cont(0.95) within group (order by f.duration_seconds::double precision)
        filter (where f.event_type = 'call_ended') as duration_p95_s
    from flagged f
    group by grouping sets ((f.service_code, f.provider), ())
    -- count(*) > 0: the grand-total grouping set yields a row even for an empty day.
    having count(*) > 0 and not (grouping(f.service_code) = 0 and (f.service_code is null or f.provider is null))
  ),
  same_day as (
    insert into analytics.etl_share_same_day (metric_date, share, dim1, dim2, dim3, answered, denominator)
    select p_date, s.share, c.service_code, c.provider, null, s.answered, s.denominator
    from counted c
    cross join lateral (values ('answer', c.answer_same_day, c.started), ('completion', c.completion_same_day, c.answered),
                               ('drop', c.drop_same_day, c.answered), ('recording', c.recording_same_day, c.answered))
      as s(share, answered, denominator)
  ),
  inserted as (
    insert into public.metrics_daily_calls (
      metric_date, service_code, provider, started, answered, completed, dropped, recorded,
      started_answered, answered_completed, answered_dropped, answered_recorded,
      answer_rate, completion_rate, drop_rate, recording_rate, duration_avg_s, duration_p95_s)
    select p_date, c.service_code, c.provider, c.started, c.answered, c.completed, c.dropped, c.recorded,
      c.answer_num, c.completion_num, c.drop_num, c.recording_num,
      c.answer_num::double precision / nullif(c.started, 0),
      c.completion_num::double precision / nullif(c.answered, 0),
      c.drop_num::double precision / nullif(c.answered, 0),
      c.recording_num::double precision / nullif(c.answered, 0),
      c.duration_avg_s, c.duration_p95_s
    from counted c
    returning 1
  )
  select (select count(*) from inserted),
    (select array_agg(distinct a.entity_id) from answers a
     where (a.event_type = 'call_answered' and not a.started_before)
        or (a.event_type in ('call_ended', 'call_dropped') and not a.answered_before))
  into v_rows, v_orphans;

  perform analytics.refresh_share_rates('calls', array(
    select analytics.recompute_share_links('calls', v_orphans, greatest(analytics.etl_horizon(), v_to))));
  return v_rows;
end;
$$;
comment on function analytics.write_calls_metrics(date) is
  'Delete-then-insert of metrics_daily_calls for one local day, rates as shares (answers of the day plus later links); links the day''s outcomes that answer earlier days and recounts those days'' rates. Call through compute_daily_calls_metrics.';
revoke all on function analytics.write_calls_metrics(date) from public, anon, authenticated;
grant execute on function analytics.write_calls_metrics(date) to service_role;

-- Engagement: the day's active users (user-initiated events) into the activity tables, then
-- DAU/WAU/MAU from them; notification_ctr = deliveries answered by an open / deliveries;
-- opt_out_rate = distinct users sent a notification who opted out that day or later / those users.
-- The activity statement runs without sequential scans (20261201000400) and finds the day's new
-- (user, day) pairs by a set difference (20261201000700).
create or replace function analytics.write_engagement_metrics(p_date date)
returns bigint
language plpgsql
set search_path = ''
set jit = off
as $$
declare
  v_zone text := analytics.reporting_time_zone();
  v_from timestamptz := p_date::timestamp at time zone v_zone;
  v_to timestamptz := (p_date + 1)::timestamp at time zone v_zone;
  v_initiated text[] := analytics.user_initiated_event_types();
  v_sent bigint;
  v_delivered bigint;
  v_opened bigint;
  v_opted_out bigint;
  v_listens bigint;
  v_listen_sum double precision;
  v_users_sent bigint;
  v_opt_out_same_day bigint;
  v_opt_out_later bigint;
  v_opt_out_users uuid[];
  v_ctr_same_day bigint;
  v_ctr_answered bigint;
  v_ctr_orphans text[];
  v_removed uuid[];
  v_rows bigint;
  v_seqscan text := current_setting('enable_seqscan');
  -- Activity is replaced exactly only for days whose events are all still stored.
  v_stored boolean := p_date >= analytics.raw_retention_first_day(v_zone);
  -- Changes of the day's activity are recorded for the nightly run when computed days that this
  -- run does not compute depend on them (later days' WAU/MAU and cohort rows, or this day's own
  -- cohort rows when its cohort job does not follow).
  v_enqueue boolean := not (p_date = any(analytics.etl_run_days()))
    or exists (select 1 from analytics.etl_days c
               where c.metric_date > p_date and c.metric_date <= p_date + 365 and not (c.metric_date = any(analytics.etl_run_days())));
begin
  -- This statement inserts into the activity tables while it looks users up in them: a sequential
  -- scan there re-reads every row inserted so far for each user, which is what the planner picks
  -- when their statistics say "empty". Their primary keys serve every lookup.
  perform set_config('enable_seqscan', 'off', true);
  -- One scan of the day: per-user counts feed the activity upsert, the funnel counts and the
  -- opt-out rate.
  with per_user as (
    select e.user_id,
      count(*) filter (where e.event_type = 'notification_sent') as sent,
      count(*) filter (where e.event_type = 'notification_delivered') as delivered,
      count(*) filter (where e.event_type = 'notification_opened') as opened,
      count(*) filter (where e.event_type = 'notification_opted_out') as opted_out,
      count(*) filter (where e.event_type = 'horoscope_listened') as listens,
      sum((e.metadata ->> 'listen_percent')::double precision) filter (where e.event_type = 'horoscope_listened') as listen_sum,
      bool_or(e.event_type = any(v_initiated)) as initiated
    from public.events_raw e
    where e.event_timestamp >= v_from and e.event_timestamp < v_to
      and (e.user_id is not null or e.event_domain in ('notifications', 'content'))
    group by e.user_id
  ),
  -- Only (user, day) pairs not recorded yet are inserted (runs for one day are serialised by the
  -- job lock); only those pairs can move a user's first day. A set difference against the day's
  -- recorded pairs (one range of the date index) rather than a primary-key probe per user.
  new_activity as (
    insert into analytics.user_daily_activity (user_id, activity_date)
    select u.user_id, p_date from per_user u where u.user_id is not null and u.initiated
    except
    select a.user_id, a.activity_date from analytics.user_daily_activity a where a.activity_date = p_date
    returning user_id
  ),
  -- Users no longer active that day (an erasure, a catalog or time zone change).
  removed_activity as (
    delete from analytics.user_daily_activity a
    where v_stored and a.activity_date = p_date
      and not exists (select 1 from per_user u where u.user_id = a.user_id and u.initiated)
    returning a.user_id
  ),
  changes as (
    insert into analytics.etl_activity_changes (user_id, activity_date, old_first_seen)
    select c.user_id, p_date, f.first_seen_date
    from (select n.user_id from new_activity n union all select r.user_id from removed_activity r) c
    left join analytics.user_first_seen f on f.user_id = c.user_id
    where v_enqueue
  ),
  first_seen_new as (
    insert into analytics.user_first_seen (user_id, first_seen_date)
    select n.user_id, p_date from new_activity n
    where not exists (select 1 from analytics.user_first_seen f where f.user_id = n.user_id)
    on conflict do nothing
  ),
  first_seen_earlier as (
    update analytics.user_first_seen f set first_seen_date = p_date
    from new_activity n
    where f.user_id = n.user_id and f.first_seen_date > p_date
  )
  select coalesce(sum(u.sent), 0), coalesce(sum(u.delivered), 0), coalesce(sum(u.opened), 0),
    coalesce(sum(u.opted_out), 0), coalesce(sum(u.listens), 0), sum(u.listen_sum),
    count(*) filter (where u.user_id is not null and u.sent > 0),
    count(*) filter (where u.user_id is not null and u.sent > 0 and u.opted_out > 0),
    (select count(*) from per_user s join analytics.etl_opt_out_links l on l.user_id = s.user_id and l.target_day = p_date
     where s.sent > 0 and s.opted_out = 0),
    array_agg(u.user_id) filter (where u.user_id is not null and u.opted_out > 0),
    (select array_agg(r.user_id) from removed_activity r)
  into v_sent, v_delivered, v_opened, v_opted_out, v_listens, v_listen_sum,
    v_users_sent, v_opt_out_same_day, v_opt_out_later, v_opt_out_users, v_removed
  from per_user u;
  perform set_config('enable_seqscan', v_seqscan, true);

  -- A user whose first day lost its activity: their first day is their earliest remaining one.
  if v_removed is not null then
    with m as (
      select r.user_id, (select min(a.activity_date) from analytics.user_daily_activity a where a.user_id = r.user_id) as first_day
      from unnest(v_removed) as r(user_id)
    ),
    moved as (
      update analytics.user_first_seen f set first_seen_date = m.first_day
      from m where f.user_id = m.user_id and m.first_day is not null and f.first_seen_date <> m.first_day
    )
    delete from analytics.user_first_seen f using m where f.user_id = m.user_id and m.first_day is null;
  end if;

  -- Opens answer the latest delivery of their notification at or before them.
  with notes as (
    select e.event_id, e.entity_id, e.event_type,
      lpad(((extract(epoch from e.event_timestamp) * 1000000)::bigint)::text, 20, '0')
        || case e.event_type when 'notification_delivered' then '0' else '1' end || e.event_id::text collate "C" as k
    from public.events_raw e
    where e.event_timestamp >= v_from and e.event_timestamp < v_to and e.event_domain = 'notifications'
      and e.entity_id is not null and e.event_type in ('notification_delivered', 'notification_opened')
  ),
  ordered as (
    select n.event_id, n.entity_id, n.event_type, n.k,
      max(n.k) filter (where n.event_type = 'notification_delivered') over (
        partition by n.entity_id collate "C" order by n.k rows between unbounded preceding and current row) as last_delivered
    from notes n
  ),
  answered_today as (
    select distinct o.last_delivered as k from ordered o where o.event_type = 'notification_opened' and o.last_delivered is not null
  )
  select count(*) filter (where t.k is not null),
    count(*) filter (where t.k is not null or l.denominator_event_id is not null),
    (select array_agg(distinct o.entity_id) from ordered o where o.event_type = 'notification_opened' and o.last_delivered is null)
  into v_ctr_same_day, v_ctr_answered, v_ctr_orphans
  from ordered d
  left join answered_today t on t.k = d.k
  left join analytics.etl_share_links l on l.share = 'ctr' and l.target_day = p_date and l.entity_id = d.entity_id
    and l.denominator_event_id = d.event_id
  where d.event_type = 'notification_delivered';

  delete from public.metrics_daily_engagement where metric_date = p_date;
  delete from analytics.etl_share_same_day where metric_date = p_date and share in ('ctr', 'opt_out');
  insert into analytics.etl_share_same_day (metric_date, share, answered, denominator)
  values (p_date, 'ctr', v_ctr_same_day, v_delivered), (p_date, 'opt_out', v_opt_out_same_day, v_users_sent);

  insert into public.metrics_daily_engagement (
    metric_date, dau, wau, mau, notifications_sent, notifications_delivered, notifications_opened,
    notifications_opted_out, delivered_opened, users_sent, users_sent_opted_out, notification_ctr, opt_out_rate,
    listens, listen_through_avg_pct)
  values (p_date, 0, 0, 0, v_sent, v_delivered, v_opened, v_opted_out,
    v_ctr_answered, v_users_sent, v_opt_out_same_day + v_opt_out_later,
    v_ctr_answered::double precision / nullif(v_delivered, 0),
    (v_opt_out_same_day + v_opt_out_later)::double precision / nullif(v_users_sent, 0),
    v_listens, v_listen_sum / nullif(v_listens, 0));
  get diagnostics v_rows = row_count;
  -- DAU/WAU/MAU from the activity tables, as for a day whose activity window changed.
  perform analytics.refresh_activity_counts(array[p_date]);

  -- Opens and opt-outs of the day that answer earlier days: their links, and those days' rates.
  perform analytics.refresh_share_rates('engagement', array(
    select analytics.recompute_share_links('notifications', v_ctr_orphans, greatest(analytics.etl_horizon(), v_to))
    union
    select analytics.recompute_opt_out_links(v_opt_out_users, greatest(analytics.etl_horizon(), v_to))));
  return v_rows;
end;
$$;
comment on function analytics.write_engagement_metrics(date) is
  'Records the day''s active users (user-initiated events only), then delete-then-insert of metrics_daily_engagement for one local day, rates as shares; links the day''s opens and opt-outs that answer earlier days and recounts those days'' rates. Call through compute_daily_engagement_metrics.';
revoke all on function analytics.write_engagement_metrics(date) from public, anon, authenticated;
grant execute on function analytics.write_engagement_metrics(date) to service_role;

-- Content: as 20261125001500, in local days; approval latency from the latest upload of the
-- horoscope at or before the approval, whenever it was stored.
create or replace function analytics.write_content_metrics(p_date date)
returns bigint
language plpgsql
set search_path = ''
set jit = off
as $$
declare
  v_zone text := analytics.reporting_time_zone();
  v_from timestamptz := p_date::timestamp at time zone v_zone;
  v_to timestamptz := (p_date + 1)::timestamp at time zone v_zone;
  v_rows bigint;
begin
  delete from public.metrics_daily_content where metric_date = p_date;

  with day_events as materialized (
    select e.entity_id, e.event_type, e.event_timestamp, e.metadata ->> 'zodiac_sign' as zodiac_sign
    from public.events_raw e
    where e.event_timestamp >= v_from and e.event_timestamp < v_to and e.event_domain = 'content'
  ),
  counts as (
    select count(*) filter (where d.event_type = 'horoscope_uploaded') as uploaded,
      count(*) filter (where d.event_type = 'horoscope_approved') as approved,
      count(*) filter (where d.event_type = 'horoscope_rejected') as rejected,
      count(*) filter (where d.event_type = 'horoscope_published') as published,
      count(distinct d.zodiac_sign) filter (where d.event_type = 'horoscope_published') as signs_published
    from day_events d
  ),
  latency as (
    select avg(l.seconds) as avg_s, percentile_cont(0.95) within group (order by l.seconds) as p95_s
    from (
      select (extract(epoch from d.event_timestamp) - extract(epoch from u.uploaded_at))::double precision as seconds
      from day_events d
      cross join lateral (
        select max(x.event_timestamp) as uploaded_at
        from public.events_raw x
        where x.event_domain = 'content' and x.event_type = 'horoscope_uploaded' and x.entity_id = d.entity_id
          and x.event_timestamp < v_to and x.event_timestamp <= d.event_timestamp
      ) u
      where d.event_type = 'horoscope_approved'
    ) l
  )
  insert into public.metrics_daily_content (
    metric_date, uploaded, approved, rejected, published, signs_published, coverage_rate, approval_rate,
    approval_latency_avg_s, approval_latency_p95_s)
  select p_date, c.uploaded, c.approved, c.rejected, c.published, c.signs_published,
    c.signs_published::double precision / 12,
    c.approved::double precision / nullif(c.approved + c.rejected, 0),
    l.avg_s, l.p95_s
  from counts c cross join latency l;

  get diagnostics v_rows = row_count;
  return v_rows;
end;
$$;
comment on function analytics.write_content_metrics(date) is
  'Delete-then-insert of metrics_daily_content for one local day (approval latency from the latest stored upload at or before each approval); call through compute_daily_content_metrics.';
revoke all on function analytics.write_content_metrics(date) from public, anon, authenticated;
grant execute on function analytics.write_content_metrics(date) to service_role;

-- KPI contract v2 (docs/design.md §10), in every writer (etl/<job>.sql):
-- - Days are local days in the reporting time zone (analytics.reporting_time_zone()): a writer's
--   window is [D 00:00, D+1 00:00) local, 23 or 25 hours on a DST change day.
-- - No fixed look-back: an order's or horoscope's history is everything stored before the day
--   (events_raw_lifecycle_entity_idx).
-- - Active users: user-initiated events only (analytics.user_initiated_event_types()).
-- - Rates are shares attributed to the denominator's day (etl/shares.sql): each writer counts the
--   answers on its own day, adds the links of answers that came later, and looks up the earlier
--   events that its day's unanswered outcomes answer, recounting those days' rates.
-- jit = off, work_mem and plan_cache_mode: see etl/runs.sql.

-- Fulfillment KPIs for one local day (docs/design.md §5, §7, §8): one scan of the day's order
-- events plus the whole stored history of the orders not created on the day, then one
-- grouping-sets aggregate for the detail and total rows.
-- Attribution: an event belongs to the reader of the order's latest assignment at or before it (of
-- several at that instant, the greatest reader id); an assignment is its own reader's event.
-- Events with no reader, or no service_code, count only in the total rows of that dimension.
-- Sorts and groups compare entity ids and service codes in collation "C": they only need equal
-- values side by side, and the database collation compares text with strcoll and without
-- abbreviated keys (both collations are deterministic, so the groups are the same). The latest
-- assignment is a running max in the one window over the assignment's time (zero-padded epoch
-- microseconds) followed by its reader id, rather than one more window and sort.
create or replace function analytics.write_fulfillment_metrics(p_date date)
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
begin
  delete from public.metrics_daily_fulfillment where metric_date = p_date;

  with day_events as materialized (
    select e.entity_id, e.event_type, e.event_timestamp, e.service_code,
      case when e.event_type = 'order_assigned' then e.metadata ->> 'reader_id' end as assigned_reader
    from public.events_raw e
    where e.event_timestamp >= v_from and e.event_timestamp < v_to and e.event_domain = 'orders'
  ),
  -- The stored history of the orders not created on the day (an order created on the day began on
  -- it): one index scan per partition for the whole list, rather than a probe per order and
  -- partition. The list is sorted in the index's order once: each scan sorts its keys again, and
  -- finds them sorted.
  earlier as materialized (
    select e.entity_id, e.event_type, e.event_timestamp, e.service_code,
      case when e.event_type = 'order_assigned' then e.metadata ->> 'reader_id' end as assigned_reader
    from public.events_raw e
    where e.event_domain = 'orders' and e.event_timestamp < v_from
      and e.entity_id = any(array(
        select d.entity_id from day_events d group by d.entity_id
        having not bool_or(d.event_type = 'order_created')
        order by d.entity_id))
  ),
  -- Orders rejected twice or more up to the end of the day: a rejection loop.
  looped as (
    select r.entity_id collate "C" as entity_id
    from (select d.entity_id from day_events d where d.event_type = 'order_rejected'
          union all
          select x.entity_id from earlier x where x.event_type = 'order_rejected') r
    group by r.entity_id
    having count(*) >= 2
  ),
  history as (
    select d.*, true as on_day from day_events d
    union all
    select x.*, false from earlier x
  ),
  -- One-letter event codes: the filters below compare a byte, not text.
  coded as (
    select h.on_day, h.entity_id collate "C" as entity_id, h.event_timestamp, h.service_code collate "C" as service_code,
      h.assigned_reader,
      (case h.event_type when 'order_created' then 'c' when 'order_assigned' then 'a' when 'order_submitted' then 's'
         when 'order_completed' then 'd' when 'order_cancelled' then 'x' when 'order_approved' then 'p'
         when 'order_rejected' then 'r' end)::"char" as code
    from history h
  ),
  -- Running state of each order at each event (range frame: events at the same instant included).
  ordered as (
    select h.on_day, h.entity_id, h.event_timestamp, h.service_code, h.code,
      min(h.event_timestamp) filter (where h.code = 'c') over w as created_at,
      max(h.event_timestamp) filter (where h.code = 's') over w as submitted_at,
      -- The latest assignment so far as '<20-digit epoch microseconds><reader id>': its max is the
      -- latest instant's, and there the greatest reader id ('' for none sorts first).
      max(lpad(((extract(epoch from h.event_timestamp) * 1000000)::bigint)::text, 20, '0') || coalesce(h.assigned_reader, '') collate "C")
        filter (where h.code = 'a') over w as latest_assignment
    from coded h
    window w as (partition by h.entity_id order by h.event_timestamp)
  ),
  -- The day's events with their reader, and one time-to-X each at most: response (assigned),
  -- delivery (completed) or approval (a decision), in seconds.
  attributed as (
    select o.service_code, o.code,
      case when o.entity_id is not null then nullif(substr(o.latest_assignment, 21), '')::uuid end as reader_id,
      case when o.code in ('p', 'r') then o.entity_id end as decided_order,
      o.code in ('p', 'r') and o.entity_id in (select l.entity_id from looped l) as looped,
      case when o.entity_id is not null then
        case o.code when 'a' then date_part('epoch', o.event_timestamp - o.created_at)
                    when 'd' then date_part('epoch', o.event_timestamp - o.created_at)
                    when 'p' then date_part('epoch', o.event_timestamp - o.submitted_at)
                    when 'r' then date_part('epoch', o.event_timestamp - o.submitted_at) end end as ttf
    from ordered o
    where o.on_day -- after the windows: earlier events still carry their assignment forward
  ),
  counted as (
    select a.service_code, a.reader_id,
      count(*) filter (where a.code = 'c') as orders_created,
      count(*) filter (where a.code = 'a') as orders_assigned,
      count(*) filter (where a.code = 'd') as orders_completed,
      count(*) filter (where a.code = 'x') as orders_cancelled,
      count(*) filter (where a.code = 'p') as approvals,
      count(*) filter (where a.code = 'r') as rejections,
      count(distinct a.decided_order) as decided_orders,
      count(distinct a.decided_order) filter (where a.looped) as looped_orders,
      avg(a.ttf) filter (where a.code = 'a') as ttf_response_avg_s,
      percentile_cont(0.95) within group (order by a.ttf) filter (where a.code = 'a') as ttf_response_p95_s,
      avg(a.ttf) filter (where a.code = 'd') as ttf_delivery_avg_s,
      percentile_cont(0.95) within group (order by a.ttf) filter (where a.code = 'd') as ttf_delivery_p95_s,
      avg(a.ttf) filter (where a.code in ('p', 'r')) as ttf_approval_avg_s,
      percentile_cont(0.95) within group (order by a.ttf) filter (where a.code in ('p', 'r')) as ttf_approval_p95_s
    from attributed a
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

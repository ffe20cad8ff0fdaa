-- Engagement KPIs for one local day (the v2 rules: etl/fulfillment.sql's header), in two scans of
-- the day: the users with a user-initiated event (the activity tables, etl/activity.sql; DAU/WAU/MAU
-- then come from the compact activity table), and the notification and listening events (counts,
-- opt-outs per user, and CTR per notification). notification_ctr = deliveries answered by an open /
-- deliveries; opt_out_rate = distinct users sent a notification who opted out that day or later /
-- those users.
-- The activity statement runs without sequential scans and nested loops (see the statement).
create or replace function analytics.write_engagement_metrics(p_date date)
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
  v_nestloop text := current_setting('enable_nestloop');
  -- Activity is replaced exactly only for days whose events are all still stored.
  v_stored boolean := p_date >= analytics.raw_retention_first_day(v_zone);
  -- Changes of the day's activity are recorded for the nightly run when computed days that this
  -- run does not compute depend on them (later days' WAU/MAU and cohort rows, or this day's own
  -- cohort rows when its cohort job does not follow).
  v_enqueue boolean := not (p_date = any(analytics.etl_run_days()))
    or exists (select 1 from analytics.etl_days c
               where c.metric_date > p_date and c.metric_date <= p_date + 365 and not (c.metric_date = any(analytics.etl_run_days())));
begin
  -- This statement inserts into the activity tables while it looks users up in them. With their
  -- statistics saying "empty" (a new deployment), or a day whose users all move (a zone change), the
  -- planner picked plans that re-read one side per row of the other: sequential scans, and nested
  -- loops rescanning a CTE or an array per row, quadratic in the day's users. So it runs without
  -- either: its joins are hashed, its per-user lookups primary-key probes (a subquery, an upsert).
  perform set_config('enable_seqscan', 'off', true);
  perform set_config('enable_nestloop', 'off', true);
  -- The day's active users: those with a user-initiated event.
  with active as (
    select e.user_id
    from public.events_raw e
    where e.event_timestamp >= v_from and e.event_timestamp < v_to
      and e.user_id is not null and e.event_type = any(v_initiated)
    group by e.user_id
  ),
  -- The day's recorded pairs against its active users, in one hashed full join of one range of the
  -- date index (not a primary-key probe per user): pairs not recorded yet are inserted (runs for one
  -- day are serialised by the job lock; only those pairs can move a user's first day), users no
  -- longer active that day (an erasure, a catalog or time zone change) are removed.
  diff as materialized (
    select coalesce(u.user_id, a.user_id) as user_id, a.user_id is null as added
    from active u
    full join (select r.user_id from analytics.user_daily_activity r where r.activity_date = p_date) a on a.user_id = u.user_id
    where u.user_id is null or a.user_id is null
  ),
  new_activity as (
    insert into analytics.user_daily_activity (user_id, activity_date)
    -- In key order: a day's pairs go into the primary key's pages one after another (for a new
    -- day, after every stored day's).
    select d.user_id, p_date from diff d where d.added order by d.user_id
    returning user_id
  ),
  removed_activity as (
    delete from analytics.user_daily_activity a
    using diff d
    where v_stored and not d.added and a.user_id = d.user_id and a.activity_date = p_date
    returning a.user_id
  ),
  changes as (
    insert into analytics.etl_activity_changes (user_id, activity_date, old_first_seen)
    select c.user_id, p_date, (select f.first_seen_date from analytics.user_first_seen f where f.user_id = c.user_id)
    from (select n.user_id from new_activity n union all select r.user_id from removed_activity r) c
    where v_enqueue
  ),
  -- A new pair moves its user's last day if it is later: one probe of the key per new pair (an
  -- array, not a join: this statement's joins are hashed, and hashing every user's row costs more).
  last_seen as (
    update analytics.user_first_seen f set last_seen_date = p_date
    where f.user_id = any(array(select n.user_id from new_activity n)) and f.last_seen_date < p_date
  ),
  -- A new pair moves its user's first day if it is earlier. One primary-key probe per new pair (a
  -- subquery, not a join) leaves out the returning users, whose first day is not later: an upsert
  -- of those would lock, and so write, each of their rows without changing it (the rows moved to
  -- a later last day are written above). The upsert is for a row that appears meanwhile.
  first_seen as (
    insert into analytics.user_first_seen as f (user_id, first_seen_date, last_seen_date)
    select n.user_id, p_date, p_date from new_activity n
    where coalesce((select f0.first_seen_date from analytics.user_first_seen f0 where f0.user_id = n.user_id), 'infinity'::date) > p_date
    on conflict (user_id) do update
      set first_seen_date = least(f.first_seen_date, excluded.first_seen_date),
          last_seen_date = greatest(f.last_seen_date, excluded.last_seen_date)
    where f.first_seen_date > excluded.first_seen_date or f.last_seen_date < excluded.last_seen_date
  )
  select array_agg(r.user_id) into v_removed from removed_activity r;
  perform set_config('enable_seqscan', v_seqscan, true);
  perform set_config('enable_nestloop', v_nestloop, true);

  -- A user whose first day lost its activity: their first day is their earliest remaining one,
  -- a later one. One read of the later days' pairs (within raw retention, as the recomputed day),
  -- not a probe of each day per user: a recomputed day can remove many users (a time zone change).
  if v_removed is not null then
    with m as (
      select f.user_id, l.first_day
      from analytics.user_first_seen f
      left join (
        select a.user_id, min(a.activity_date) as first_day
        from analytics.user_daily_activity a
        where a.activity_date > p_date and a.user_id = any(v_removed)
        group by a.user_id
      ) l on l.user_id = f.user_id
      where f.user_id = any(v_removed) and f.first_seen_date = p_date
    ),
    moved as (
      update analytics.user_first_seen f set first_seen_date = m.first_day
      from m where f.user_id = m.user_id and m.first_day is not null
    )
    delete from analytics.user_first_seen f using m where f.user_id = m.user_id and m.first_day is null;

    -- A user whose last day lost its activity: their last day is the latest remaining one, found
    -- by probing the days before, latest first (most users were active shortly before).
    update analytics.user_first_seen f
    set last_seen_date = coalesce(
      (select d::date from generate_series((p_date - 1)::timestamp, f.first_seen_date::timestamp, interval '-1 day') as d
       where exists (select 1 from analytics.user_daily_activity a where a.activity_date = d::date and a.user_id = f.user_id)
       limit 1),
      f.first_seen_date)
    where f.user_id = any(v_removed) and f.last_seen_date = p_date and f.first_seen_date < p_date;
  end if;

  -- The day's notification and listening events: the funnel counts; per user, sent and opted out;
  -- per notification, whether its deliveries were opened. Opens answer the latest delivery of their
  -- notification at or before them (order: time, delivery first, event id). Without nested loops:
  -- its CTEs carry no statistics, and a nested loop over two of them (the day's deliveries and the
  -- links answering them, say) would be quadratic.
  perform set_config('enable_nestloop', 'off', true);
  with events as materialized (
    select e.event_id, e.entity_id, e.user_id, e.event_type, e.event_timestamp,
      case when e.event_type = 'horoscope_listened' then (e.metadata ->> 'listen_percent')::double precision end as listen_percent
    from public.events_raw e
    where e.event_timestamp >= v_from and e.event_timestamp < v_to and e.event_domain in ('notifications', 'content')
      and e.event_type in ('notification_sent', 'notification_delivered', 'notification_opened', 'notification_opted_out',
                           'horoscope_listened')
  ),
  totals as (
    select count(*) filter (where n.event_type = 'notification_sent') as sent,
      count(*) filter (where n.event_type = 'notification_delivered') as delivered,
      count(*) filter (where n.event_type = 'notification_opened') as opened,
      count(*) filter (where n.event_type = 'notification_opted_out') as opted_out,
      count(*) filter (where n.event_type = 'horoscope_listened') as listens,
      sum(n.listen_percent) as listen_sum
    from events n
  ),
  notified as (
    select n.user_id, bool_or(n.event_type = 'notification_sent') as sent, bool_or(n.event_type = 'notification_opted_out') as opted_out
    from events n
    where n.user_id is not null and n.event_type in ('notification_sent', 'notification_opted_out')
    group by n.user_id
  ),
  notes as (
    select n.event_id, n.entity_id, n.event_type, n.event_timestamp
    from events n
    where n.entity_id is not null and n.event_type in ('notification_delivered', 'notification_opened')
  ),
  entities as (
    select n.entity_id,
      count(*) filter (where n.event_type = 'notification_delivered') as deliveries,
      min(n.event_timestamp) filter (where n.event_type = 'notification_delivered') as delivered_at,
      min(n.event_timestamp) filter (where n.event_type = 'notification_opened') as first_opened_at,
      max(n.event_timestamp) filter (where n.event_type = 'notification_opened') as last_opened_at
    from notes n
    group by n.entity_id
  ),
  -- Delivered at most once on the day (the common case): answered when opened at or after the
  -- delivery; an open before any delivery answers an earlier day.
  simple as (
    select s.entity_id, s.delivered_at, coalesce(s.last_opened_at >= s.delivered_at, false) as answered,
      s.first_opened_at is not null and not coalesce(s.delivered_at <= s.first_opened_at, false) as orphan
    from entities s
    where s.deliveries <= 1
  ),
  -- Delivered more than once: each open answers the latest delivery before it.
  redelivered as (
    select n.event_id, n.entity_id, n.event_type, n.event_timestamp,
      lpad(((extract(epoch from n.event_timestamp) * 1000000)::bigint)::text, 20, '0')
        || case n.event_type when 'notification_delivered' then '0' else '1' end || n.event_id::text collate "C" as k
    from notes n
    where n.entity_id in (select s.entity_id from entities s where s.deliveries > 1)
  ),
  ordered as (
    select r.event_id, r.entity_id, r.event_type, r.event_timestamp, r.k,
      max(r.k) filter (where r.event_type = 'notification_delivered') over (
        partition by r.entity_id collate "C" order by r.k rows between unbounded preceding and current row) as last_delivered
    from redelivered r
  ),
  -- Deliveries of redelivered notifications, answered the same day or not.
  redeliveries as (
    select o.event_id, o.event_timestamp,
      o.k in (select x.last_delivered from ordered x where x.event_type = 'notification_opened') as answered
    from ordered o
    where o.event_type = 'notification_delivered'
  ),
  -- The users sent a notification on the day: how many, how many of them opted out that day, and
  -- how many later (the day's opt-out links, looked up in one hashed set).
  users as (
    select count(*) filter (where u.sent) as sent, count(*) filter (where u.sent and u.opted_out) as opted_out_same_day,
      count(*) filter (where u.sent and not u.opted_out
                         and u.user_id in (select l.user_id from analytics.etl_opt_out_links l where l.target_day = p_date)) as opted_out_later,
      array_agg(u.user_id) filter (where u.opted_out) as opted_out_users
    from notified u
  )
  select t.sent, t.delivered, t.opened, t.opted_out, t.listens, t.listen_sum,
    u.sent, u.opted_out_same_day, u.opted_out_later, u.opted_out_users,
    c.same_day, c.same_day + c.later,
    (select array_agg(x.entity_id) from (
       select s.entity_id from simple s where s.orphan
       union
       select o.entity_id from ordered o where o.event_type = 'notification_opened' and o.last_delivered is null) x)
  into v_sent, v_delivered, v_opened, v_opted_out, v_listens, v_listen_sum, v_users_sent, v_opt_out_same_day,
    v_opt_out_later, v_opt_out_users, v_ctr_same_day, v_ctr_answered, v_ctr_orphans
  from totals t, users u,
    -- Answered on the day: a notification delivered once is answered with its entity (simple), a
    -- redelivered one per delivery; the day's deliveries are not joined to them. Answered later: the
    -- day's CTR links (few) to one of its deliveries that the day left unanswered.
    (select (select count(*) filter (where s.answered) from simple s)
              + (select count(*) filter (where r.answered) from redeliveries r) as same_day,
            (select count(*)
             from analytics.etl_share_links l
             join notes n on n.event_id = l.denominator_event_id and n.entity_id = l.entity_id
               and n.event_type = 'notification_delivered'
             left join simple s on s.entity_id = l.entity_id
             left join redeliveries r on r.event_id = n.event_id and r.event_timestamp = n.event_timestamp
             where l.share = 'ctr' and l.target_day = p_date and not coalesce(s.answered, r.answered, false)) as later) c;

  perform set_config('enable_nestloop', v_nestloop, true);

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

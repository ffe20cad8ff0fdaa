-- Engagement KPIs for one local day (the v2 rules: etl/fulfillment.sql's header). One scan of the
-- day's events feeds both the per-user activity tables (etl/activity.sql; user-initiated events
-- only) and the notification and listening counts; DAU/WAU/MAU then come from the compact activity
-- table. notification_ctr = deliveries answered by an open / deliveries; opt_out_rate = distinct
-- users sent a notification who opted out that day or later / those users.
-- The day's new (user, day) pairs are a set difference against the pairs already recorded for the
-- day (one range of the date index), not a primary-key probe per user. The statement inserts into
-- the activity tables while it looks users up in them; with their statistics saying "empty" (a new
-- deployment's first night, a reset database) the planner picks sequential scans that re-read
-- every row inserted so far for each user, so that one statement runs without sequential scans.
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

-- The ETL writers of KPI contract v2 (DESIGN.md §10), each defined whole.
-- Engagement: a user is active on a day when one of their events that day is user-initiated
-- (analytics.user_initiated_event_types(), from the catalog); DAU/WAU/MAU, first-seen days and
-- cohorts follow from that.
create or replace function analytics.write_engagement_metrics(p_date date)
returns bigint
language plpgsql
set search_path = ''
set jit = off
as $$
declare
  v_from timestamptz := p_date::timestamp at time zone 'UTC';
  v_to timestamptz := (p_date + 1)::timestamp at time zone 'UTC';
  v_sent bigint;
  v_delivered bigint;
  v_opened bigint;
  v_opted_out bigint;
  v_listens bigint;
  v_listen_sum double precision;
  v_rows bigint;
  v_seqscan text := current_setting('enable_seqscan');
  v_initiated text[] := analytics.user_initiated_event_types();
begin
  -- This statement inserts into the activity tables while it looks users up in them: a sequential
  -- scan there re-reads every row inserted so far for each user, which is what the planner picks
  -- when their statistics say "empty". Their primary keys serve every lookup.
  perform set_config('enable_seqscan', 'off', true);
  -- One scan of the day: per-user counts feed both the activity upsert and the funnel counts.
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
    coalesce(sum(u.opted_out), 0), coalesce(sum(u.listens), 0), sum(u.listen_sum)
  into v_sent, v_delivered, v_opened, v_opted_out, v_listens, v_listen_sum
  from per_user u;
  perform set_config('enable_seqscan', v_seqscan, true);

  delete from public.metrics_daily_engagement where metric_date = p_date;

  insert into public.metrics_daily_engagement (
    metric_date, dau, wau, mau, notifications_sent, notifications_delivered, notifications_opened,
    notifications_opted_out, notification_ctr, opt_out_rate, listens, listen_through_avg_pct)
  select p_date, u.dau, u.wau, u.mau, v_sent, v_delivered, v_opened, v_opted_out,
    v_opened::double precision / nullif(v_delivered, 0),
    v_opted_out::double precision / nullif(v_sent, 0),
    v_listens, v_listen_sum / nullif(v_listens, 0)
  from (
    select count(distinct a.user_id) filter (where a.activity_date = p_date) as dau,
      count(distinct a.user_id) filter (where a.activity_date > p_date - 7) as wau,
      count(distinct a.user_id) as mau
    from analytics.user_daily_activity a
    where a.activity_date > p_date - 30 and a.activity_date <= p_date
  ) u;

  get diagnostics v_rows = row_count;
  return v_rows;
end;
$$;
comment on function analytics.write_engagement_metrics(date) is
  'Records the day''s active users (user-initiated events only), then delete-then-insert of metrics_daily_engagement; call through compute_daily_engagement_metrics.';
revoke all on function analytics.write_engagement_metrics(date) from public, anon, authenticated;
grant execute on function analytics.write_engagement_metrics(date) to service_role;

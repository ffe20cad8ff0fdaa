-- Engagement and cohort retention. The engagement job first records the day's active users in
-- analytics.user_daily_activity / user_first_seen (upserts, never deleted by a recompute: raw events
-- may already be purged), then derives DAU/WAU/MAU from that compact table; cohorts read only it.

create or replace function analytics.write_engagement_metrics(p_date date)
returns bigint
language plpgsql
set search_path = ''
as $$
declare
  v_from timestamptz := p_date::timestamp at time zone 'UTC';
  v_to timestamptz := (p_date + 1)::timestamp at time zone 'UTC';
  v_rows bigint;
begin
  insert into analytics.user_daily_activity (user_id, activity_date)
  select distinct e.user_id, p_date
  from public.events_raw e
  where e.event_timestamp >= v_from and e.event_timestamp < v_to and e.user_id is not null
  on conflict do nothing;

  insert into analytics.user_first_seen as f (user_id, first_seen_date)
  select a.user_id, p_date from analytics.user_daily_activity a where a.activity_date = p_date
  on conflict (user_id) do update set first_seen_date = excluded.first_seen_date
    where excluded.first_seen_date < f.first_seen_date;

  delete from public.metrics_daily_engagement where metric_date = p_date;

  insert into public.metrics_daily_engagement (
    metric_date, dau, wau, mau, notifications_sent, notifications_delivered, notifications_opened,
    notifications_opted_out, notification_ctr, opt_out_rate, listens, listen_through_avg_pct)
  select p_date, u.dau, u.wau, u.mau, n.sent, n.delivered, n.opened, n.opted_out,
    n.opened::double precision / nullif(n.delivered, 0),
    n.opted_out::double precision / nullif(n.sent, 0),
    n.listens, n.listen_avg
  from (
    select count(distinct a.user_id) filter (where a.activity_date = p_date) as dau,
      count(distinct a.user_id) filter (where a.activity_date > p_date - 7) as wau,
      count(distinct a.user_id) as mau
    from analytics.user_daily_activity a
    where a.activity_date > p_date - 30 and a.activity_date <= p_date
  ) u
  cross join (
    select count(*) filter (where e.event_type = 'notification_sent') as sent,
      count(*) filter (where e.event_type = 'notification_delivered') as delivered,
      count(*) filter (where e.event_type = 'notification_opened') as opened,
      count(*) filter (where e.event_type = 'notification_opted_out') as opted_out,
      count(*) filter (where e.event_type = 'horoscope_listened') as listens,
      avg((e.metadata ->> 'listen_percent')::double precision) filter (where e.event_type = 'horoscope_listened') as listen_avg
    from public.events_raw e
    where e.event_timestamp >= v_from and e.event_timestamp < v_to and e.event_domain in ('notifications', 'content')
  ) n;

  get diagnostics v_rows = row_count;
  return v_rows;
end;
$$;
comment on function analytics.write_engagement_metrics(date) is
  'Upserts the day''s active users, then delete-then-insert of metrics_daily_engagement; call through compute_daily_engagement_metrics.';
revoke all on function analytics.write_engagement_metrics(date) from public, anon, authenticated;

-- Rows are rewritten per observed day: every cohort C in [D-365, D] gets its day-(D-C) row.
create index metrics_cohort_retention_observed_day_idx
  on public.metrics_cohort_retention ((cohort_date + retention_day));
comment on index public.metrics_cohort_retention_observed_day_idx is
  'Lets the cohort ETL job replace the rows whose observed day (cohort_date + retention_day) it recomputes.';

create or replace function analytics.write_cohort_retention_metrics(p_date date)
returns bigint
language plpgsql
set search_path = ''
as $$
declare
  v_rows bigint;
begin
  delete from public.metrics_cohort_retention where cohort_date + retention_day = p_date;

  insert into public.metrics_cohort_retention (cohort_date, retention_day, cohort_size, retained_users, retention_rate)
  select f.first_seen_date, p_date - f.first_seen_date, count(*), count(a.user_id),
    count(a.user_id)::double precision / count(*)
  from analytics.user_first_seen f
  left join analytics.user_daily_activity a on a.user_id = f.user_id and a.activity_date = p_date
  where f.first_seen_date >= p_date - 365 and f.first_seen_date <= p_date
  group by f.first_seen_date;

  get diagnostics v_rows = row_count;
  return v_rows;
end;
$$;
comment on function analytics.write_cohort_retention_metrics(date) is
  'Delete-then-insert of the cohort rows observed on one UTC day (day N = that day - cohort day, N in 0..365), from user_first_seen and user_daily_activity.';
revoke all on function analytics.write_cohort_retention_metrics(date) from public, anon, authenticated;

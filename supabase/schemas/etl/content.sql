-- The day's horoscope uploads, approvals, rejections and publications (a few for each of the twelve
-- signs, among all of a day's events): found by time through this partial index rather than a scan
-- of the whole day. Other events' ingestion pays only the predicate's check.
create index events_raw_horoscope_time_idx on public.events_raw (event_timestamp)
  where event_type in ('horoscope_uploaded', 'horoscope_approved', 'horoscope_rejected', 'horoscope_published');
comment on index public.events_raw_horoscope_time_idx is
  'ETL: a day''s horoscope uploads, approvals, rejections and publications (content KPIs).';

-- Content KPIs for one local day (the v2 rules: etl/fulfillment.sql's header): the day's horoscope
-- events, through the index above; approval latency per horoscope_approved on the day = approval -
-- latest horoscope_uploaded of the same horoscope at or before it, whenever it was stored (a
-- re-upload after a rejection restarts the clock). Moderation events feed activity only.
create or replace function analytics.write_content_metrics(p_date date)
returns bigint
language plpgsql
set search_path = ''
set plan_cache_mode = force_custom_plan
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
      -- Not horoscope_listened, the domain's bulk (engagement counts it).
      and e.event_type in ('horoscope_uploaded', 'horoscope_approved', 'horoscope_rejected', 'horoscope_published')
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

-- Call quality KPIs for one UTC day: one scan of the day's call events, one grouping-sets aggregate.
-- A detail row needs every dimension set; events missing one count only in the grand total.
-- metadata.recorded counts only when it is JSON true. jit = off: see etl/runs.sql.
create or replace function analytics.write_calls_metrics(p_date date)
returns bigint
language plpgsql
set search_path = ''
set jit = off
as $$
declare
  v_from timestamptz := p_date::timestamp at time zone 'UTC';
  v_to timestamptz := (p_date + 1)::timestamp at time zone 'UTC';
  v_rows bigint;
begin
  delete from public.metrics_daily_calls where metric_date = p_date;

  insert into public.metrics_daily_calls (
    metric_date, service_code, provider, started, answered, completed, dropped, recorded,
    answer_rate, completion_rate, drop_rate, recording_rate, duration_avg_s, duration_p95_s)
  select p_date, c.service_code, c.provider, c.started, c.answered, c.completed, c.dropped, c.recorded,
    c.answered::double precision / nullif(c.started, 0),
    c.completed::double precision / nullif(c.answered, 0),
    c.dropped::double precision / nullif(c.answered, 0),
    c.recorded::double precision / nullif(c.answered, 0),
    c.duration_avg_s, c.duration_p95_s
  from (
    select e.service_code, e.provider,
      count(*) filter (where e.event_type = 'call_started') as started,
      count(*) filter (where e.event_type = 'call_answered') as answered,
      count(*) filter (where e.event_type = 'call_ended') as completed,
      count(*) filter (where e.event_type = 'call_dropped') as dropped,
      count(*) filter (where e.event_type = 'call_ended' and e.metadata -> 'recorded' = 'true'::jsonb) as recorded,
      avg(e.duration_seconds::double precision) filter (where e.event_type = 'call_ended') as duration_avg_s,
      percentile_cont(0.95) within group (order by e.duration_seconds::double precision)
        filter (where e.event_type = 'call_ended') as duration_p95_s
    from public.events_raw e
    where e.event_timestamp >= v_from and e.event_timestamp < v_to and e.event_domain = 'calls'
    group by grouping sets ((e.service_code, e.provider), ())
    -- count(*) > 0: the grand-total grouping set yields a row even for an empty day.
    having count(*) > 0 and not (grouping(e.service_code) = 0 and (e.service_code is null or e.provider is null))
  ) c;

  get diagnostics v_rows = row_count;
  return v_rows;
end;
$$;
comment on function analytics.write_calls_metrics(date) is
  'Delete-then-insert of metrics_daily_calls for one UTC day; call through compute_daily_calls_metrics.';
revoke all on function analytics.write_calls_metrics(date) from public, anon, authenticated;
grant execute on function analytics.write_calls_metrics(date) to service_role;

-- Call quality KPIs for one local day (the v2 rules: etl/fulfillment.sql's header): one scan of the
-- day's call events, one grouping-sets aggregate. A detail row needs every dimension set; events
-- missing one count only in the grand total. metadata.recorded counts only when it is JSON true.
-- answer_rate = starts answered / started; completion, drop and recording rates = answers that
-- ended normally / dropped / ended recorded, over answered.
create or replace function analytics.write_calls_metrics(p_date date)
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
  delete from public.metrics_daily_calls where metric_date = p_date;
  delete from analytics.etl_share_same_day where metric_date = p_date and share in ('answer', 'completion', 'drop', 'recording');

  with day_events as materialized (
    -- One-letter event codes: the many filters below compare a byte, not text.
    select e.event_id, e.entity_id, (case e.event_type when 'call_started' then 's' when 'call_answered' then 'a'
        when 'call_ended' then 'e' when 'call_dropped' then 'd' end)::"char" as code,
      e.event_timestamp, e.service_code, e.provider, e.duration_seconds,
      coalesce(e.metadata -> 'recorded' = 'true'::jsonb, false) as recorded
    from public.events_raw e
    where e.event_timestamp >= v_from and e.event_timestamp < v_to and e.event_domain = 'calls'
  ),
  -- Each call's starts, answers, ends and drops of the day.
  entities as (
    select d.entity_id,
      count(*) filter (where d.code = 's') as starts,
      count(*) filter (where d.code = 'a') as answers,
      min(d.event_timestamp) filter (where d.code = 's') as started_at,
      min(d.event_timestamp) filter (where d.code = 'a') as answered_at,
      max(d.event_timestamp) filter (where d.code = 'e') as last_ended_at,
      max(d.event_timestamp) filter (where d.code = 'd') as last_dropped_at,
      max(d.event_timestamp) filter (where d.code = 'e' and d.recorded) as last_recorded_at,
      min(d.event_timestamp) filter (where d.code in ('e', 'd')) as first_end_at
    from day_events d
    where d.entity_id is not null
    group by d.entity_id
  ),
  -- At most one start and one answer on the day (the common case): the answers follow from the
  -- times (an answer answers the start at or before it, an end or drop the answer at or before it),
  -- and an outcome before any denominator of its kind answers an earlier day.
  simple as (
    select s.entity_id,
      coalesce(s.answered_at >= s.started_at, false) as answer,
      coalesce(s.last_ended_at >= s.answered_at, false) as completion,
      coalesce(s.last_dropped_at >= s.answered_at, false) as dropped,
      coalesce(s.last_recorded_at >= s.answered_at, false) as recording,
      (s.answered_at is not null and not coalesce(s.started_at <= s.answered_at, false))
        or (s.first_end_at is not null and not coalesce(s.answered_at <= s.first_end_at, false)) as orphan
    from entities s
    where s.starts <= 1 and s.answers <= 1
  ),
  -- Calls started or answered more than once on the day: their events in answer order (time;
  -- start, answer, then end or drop; event id).
  numbered as (
    select d.*, row_number() over w as pos
    from day_events d
    where d.entity_id in (select s.entity_id from entities s where s.starts > 1 or s.answers > 1)
    window w as (partition by d.entity_id collate "C"
                 order by d.event_timestamp, case d.code when 's' then 0 when 'a' then 1 else 2 end, d.event_id)
  ),
  -- A denominator is answered on the day when its entity's next outcome comes before its next
  -- denominator; an outcome with no denominator before it answers one of an earlier day.
  answers as (
    select n.event_id, n.code,
      min(n.pos) filter (where n.code = 's') over later as next_started,
      min(n.pos) filter (where n.code = 'a') over later as next_answered,
      min(n.pos) filter (where n.code = 'e') over later as next_ended,
      min(n.pos) filter (where n.code = 'd') over later as next_dropped,
      min(n.pos) filter (where n.code = 'e' and n.recorded) over later as next_recorded,
      bool_or(n.code = 's') over earlier as started_before,
      bool_or(n.code = 'a') over earlier as answered_before,
      n.entity_id
    from numbered n
    window w as (partition by n.entity_id collate "C"
                 order by n.event_timestamp, case n.code when 's' then 0 when 'a' then 1 else 2 end, n.event_id),
      later as (w rows between 1 following and unbounded following),
      earlier as (w rows between unbounded preceding and current row)
  ),
  answered_today as (
    select a.event_id,
      a.code = 's' and a.next_answered < coalesce(a.next_started, a.next_answered + 1) as answer,
      a.code = 'a' and a.next_ended < coalesce(a.next_answered, a.next_ended + 1) as completion,
      a.code = 'a' and a.next_dropped < coalesce(a.next_answered, a.next_dropped + 1) as dropped,
      a.code = 'a' and a.next_recorded < coalesce(a.next_answered, a.next_recorded + 1) as recording
    from answers a
    where a.code in ('s', 'a')
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
    select d.service_code, d.provider, d.code, d.duration_seconds, d.recorded,
      t.answer as answer_same_day, t.answer or coalesce(l.answer, false) as answer,
      t.completion as completion_same_day, t.completion or coalesce(l.completion, false) as completion,
      t.dropped as drop_same_day, t.dropped or coalesce(l.dropped, false) as dropped,
      t.recording as recording_same_day, t.recording or coalesce(l.recording, false) as recording_answer
    from day_events d
    left join simple s on s.entity_id = d.entity_id
    left join answered_today r on r.event_id = d.event_id
    -- A simple call's flags belong to its start (answer) and its answer (the others).
    cross join lateral (select
        coalesce(r.answer, d.code = 's' and s.answer, false) as answer,
        coalesce(r.completion, d.code = 'a' and s.completion, false) as completion,
        coalesce(r.dropped, d.code = 'a' and s.dropped, false) as dropped,
        coalesce(r.recording, d.code = 'a' and s.recording, false) as recording) t
    left join answered_later l on l.event_id = d.event_id
  ),
  counted as (
    select f.service_code, f.provider,
      count(*) filter (where f.code = 's') as started,
      count(*) filter (where f.code = 'a') as answered,
      count(*) filter (where f.code = 'e') as completed,
      count(*) filter (where f.code = 'd') as dropped,
      count(*) filter (where f.code = 'e' and f.recorded) as recorded,
      count(*) filter (where f.code = 's' and f.answer_same_day) as answer_same_day,
      count(*) filter (where f.code = 's' and f.answer) as answer_num,
      count(*) filter (where f.code = 'a' and f.completion_same_day) as completion_same_day,
      count(*) filter (where f.code = 'a' and f.completion) as completion_num,
      count(*) filter (where f.code = 'a' and f.drop_same_day) as drop_same_day,
      count(*) filter (where f.code = 'a' and f.dropped) as drop_num,
      count(*) filter (where f.code = 'a' and f.recording_same_day) as recording_same_day,
      count(*) filter (where f.code = 'a' and f.recording_answer) as recording_num,
      avg(f.duration_seconds::double precision) filter (where f.code = 'e') as duration_avg_s,
      percentile_cont(0.95) within group (order by f.duration_seconds::double precision)
        filter (where f.code = 'e') as duration_p95_s
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
    (select array_agg(x.entity_id) from (
       select s.entity_id from simple s where s.orphan
       union
       select a.entity_id from answers a
       where (a.code = 'a' and not a.started_before)
          or (a.code in ('e', 'd') and not a.answered_before)) x)
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

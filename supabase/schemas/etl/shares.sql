-- Rates as shares (docs/design.md §10.3, §10.4), attributed to the denominator's day. An outcome
-- answers the latest denominator event of its entity at or before it (order: time, denominator
-- first, event id): a success the latest attempt of its payment, a refund the latest success, an
-- answer the latest start of its call, an end, drop or recorded end the latest answer, an open the
-- latest delivery. A denominator counts in the numerator once it is answered. Answers on the
-- denominator's own day are counted by that day's writer from its own scan; answers that came on a
-- later day are kept as links (analytics.etl_share_links), so that a day's rate is brought up to
-- date by a recount, without scanning the day again. The opt-out rate is per user: a user sent a
-- notification on D counts once they opted out on D or later (analytics.etl_opt_out_links for
-- opt-outs on later days).

-- An entity's whole stored history for the shares' answer lookups (payments, calls and
-- notifications; orders and horoscopes have events_raw_lifecycle_entity_idx). Only the entities of
-- outcomes whose answer is not on their own day are looked up, and those of late events.
create index events_raw_share_entity_idx on public.events_raw (entity_id, event_timestamp)
  where event_domain in ('payments', 'calls', 'notifications') and entity_id is not null;
comment on index public.events_raw_share_entity_idx is
  'ETL: a payment''s, call''s or notification''s events, to find which earlier event a later outcome answers (rates as shares).';

create table analytics.etl_share_links (
  share text not null,
  entity_id text not null,
  denominator_event_id uuid not null,
  target_day date not null,
  dim1 text,
  dim2 text,
  dim3 text,
  source_day date not null,
  constraint etl_share_links_pkey primary key (share, entity_id, denominator_event_id),
  constraint etl_share_links_share check (share in ('success', 'refund', 'answer', 'completion', 'drop', 'recording', 'ctr'))
);
create index etl_share_links_target_idx on analytics.etl_share_links (target_day, share);
create index etl_share_links_entity_idx on analytics.etl_share_links (entity_id);
comment on table analytics.etl_share_links is
  'Denominator events first answered on a later local day (the rate''s numerator on the denominator''s day). Kept per entity from its whole stored history.';
comment on column analytics.etl_share_links.share is 'success | refund (payments), answer | completion | drop | recording (calls), ctr (notifications).';
comment on column analytics.etl_share_links.entity_id is 'The payment, call or notification.';
comment on column analytics.etl_share_links.denominator_event_id is 'The answered denominator event (attempt, success, start, answer, delivery).';
comment on column analytics.etl_share_links.target_day is 'Local day of the denominator event: the day whose rate counts it.';
comment on column analytics.etl_share_links.dim1 is 'The denominator''s first row dimension: provider (payments) or service_code (calls).';
comment on column analytics.etl_share_links.dim2 is 'Second row dimension: country_code (payments) or provider (calls).';
comment on column analytics.etl_share_links.dim3 is 'Third row dimension: currency (payments).';
comment on column analytics.etl_share_links.source_day is 'Local day of the earliest outcome answering it.';
alter table analytics.etl_share_links enable row level security;
revoke all on analytics.etl_share_links from public, anon, authenticated;
comment on index analytics.etl_share_links_target_idx is 'Recounting the rates of a day.';
comment on index analytics.etl_share_links_entity_idx is 'Recomputing the links of an entity.';
grant select, insert, delete on analytics.etl_share_links to service_role;

-- User-level (GDPR erasure finds it by its user_id column).
create table analytics.etl_opt_out_links (
  user_id uuid not null,
  target_day date not null,
  source_day date not null,
  constraint etl_opt_out_links_pkey primary key (user_id, target_day)
);
create index etl_opt_out_links_target_idx on analytics.etl_opt_out_links (target_day);
comment on table analytics.etl_opt_out_links is
  'Users sent a notification on target_day, with no opt-out that day, who opted out on a later local day (source_day: the first such opt-out). Counted in target_day''s opt-out rate.';
comment on column analytics.etl_opt_out_links.user_id is 'Pseudonymous user uuid.';
comment on column analytics.etl_opt_out_links.target_day is 'Local day a notification was sent to the user.';
comment on column analytics.etl_opt_out_links.source_day is 'Local day of the user''s first opt-out after target_day.';
alter table analytics.etl_opt_out_links enable row level security;
revoke all on analytics.etl_opt_out_links from public, anon, authenticated;
comment on index analytics.etl_opt_out_links_target_idx is 'Recounting the opt-out rate of a day.';
grant select, insert, delete on analytics.etl_opt_out_links to service_role;

create table analytics.etl_share_same_day (
  metric_date date not null,
  share text not null,
  dim1 text,
  dim2 text,
  dim3 text,
  answered bigint not null,
  denominator bigint not null,
  constraint etl_share_same_day_key unique nulls not distinct (metric_date, share, dim1, dim2, dim3)
);
comment on table analytics.etl_share_same_day is
  'Per metrics row and share, the denominator events answered on their own day and the denominator, as the day''s writer counted them: a rate is (answered + links) / denominator.';
comment on column analytics.etl_share_same_day.metric_date is 'Local day of the metrics row.';
comment on column analytics.etl_share_same_day.share is 'success, refund, answer, completion, drop, recording, ctr or opt_out.';
comment on column analytics.etl_share_same_day.dim1 is 'The row''s first dimension (as in the metrics table; null on total rows).';
comment on column analytics.etl_share_same_day.dim2 is 'Second dimension.';
comment on column analytics.etl_share_same_day.dim3 is 'Third dimension (currency).';
comment on column analytics.etl_share_same_day.answered is 'Denominator events of the row answered the same day (opt_out: users sent and opted out that day).';
comment on column analytics.etl_share_same_day.denominator is 'The rate''s denominator (opt_out: distinct users sent a notification).';
alter table analytics.etl_share_same_day enable row level security;
revoke all on analytics.etl_share_same_day from public, anon, authenticated;
grant select, insert, delete on analytics.etl_share_same_day to service_role;

-- The end of what the ETL has looked at: the start of local today, or of the day a test or a
-- catch-up run names (transaction setting analytics.etl_today). Outcomes at or after it are
-- ignored until their day is computed.
create or replace function analytics.etl_horizon()
returns timestamptz
language sql
stable
set search_path = ''
as $$
  select coalesce(nullif(current_setting('analytics.etl_today', true), '')::date, analytics.reporting_today())::timestamp
    at time zone analytics.reporting_time_zone()
$$;
comment on function analytics.etl_horizon() is
  'Start of local today (reporting time zone), or of the date in the transaction setting analytics.etl_today: outcomes from then on are not counted yet.';
revoke all on function analytics.etl_horizon() from public, anon, authenticated;
grant execute on function analytics.etl_horizon() to service_role;

-- Recomputes every link of the given entities of one domain from their whole stored history up to
-- p_horizon. Returns the target days of the links that changed (their rates need a recount).
create or replace function analytics.recompute_share_links(p_domain text, p_entities text[], p_horizon timestamptz)
returns setof date
language plpgsql
set search_path = ''
set plan_cache_mode = force_custom_plan
as $$
declare
  v_zone text := analytics.reporting_time_zone();
  v_old analytics.etl_share_links[];
begin
  if p_entities is null or cardinality(p_entities) = 0 then
    return;
  end if;
  with removed as (
    delete from analytics.etl_share_links l
    where l.entity_id = any(p_entities)
      and l.share = any(case p_domain when 'payments' then array['success', 'refund']
                                      when 'calls' then array['answer', 'completion', 'drop', 'recording']
                                      else array['ctr'] end)
    returning l.*
  )
  select coalesce(array_agg((r.share, r.entity_id, r.denominator_event_id, r.target_day, r.dim1, r.dim2, r.dim3,
    r.source_day)::analytics.etl_share_links), '{}')
  into v_old from removed r;

  return query
  with shares (share, den_type, out_type, recorded_only) as (
    values ('success', 'payment_attempted', 'payment_succeeded', false),
           ('refund', 'payment_succeeded', 'refund_issued', false),
           ('answer', 'call_started', 'call_answered', false),
           ('completion', 'call_answered', 'call_ended', false),
           ('drop', 'call_answered', 'call_dropped', false),
           ('recording', 'call_answered', 'call_ended', true),
           ('ctr', 'notification_delivered', 'notification_opened', false)
  ),
  hist as (
    select e.event_id, e.entity_id, e.event_type, e.event_timestamp,
      coalesce(e.metadata -> 'recorded' = 'true'::jsonb, false) as recorded,
      case p_domain when 'payments' then e.provider when 'calls' then e.service_code end as dim1,
      case p_domain when 'payments' then e.country_code when 'calls' then e.provider end as dim2,
      case p_domain when 'payments' then e.currency end as dim3
    from public.events_raw e
    where e.event_domain = p_domain and e.entity_id = any(p_entities) and e.event_timestamp < p_horizon
  ),
  roles as (
    select s.share, h.*, h.event_type = s.den_type as is_den,
      lpad(((extract(epoch from h.event_timestamp) * 1000000)::bigint)::text, 20, '0')
        || case when h.event_type = s.den_type then '0' else '1' end || h.event_id::text collate "C" as k
    from hist h
    join shares s on h.event_type = s.den_type or (h.event_type = s.out_type and (h.recorded or not s.recorded_only))
  ),
  -- For each outcome, the key of the latest denominator at or before it.
  answering as (
    select r.share, r.entity_id, r.is_den, r.event_timestamp,
      max(r.k) filter (where r.is_den) over (partition by r.share, r.entity_id order by r.k
                                             rows between unbounded preceding and current row) as den_k
    from roles r
  ),
  first_answers as (
    select a.share, a.entity_id, a.den_k, min(a.event_timestamp) as first_at
    from answering a
    where not a.is_den and a.den_k is not null
    group by a.share, a.entity_id, a.den_k
  ),
  added as (
    insert into analytics.etl_share_links (share, entity_id, denominator_event_id, target_day, dim1, dim2, dim3, source_day)
    select d.share, d.entity_id, d.event_id, (d.event_timestamp at time zone v_zone)::date, d.dim1, d.dim2, d.dim3,
      (f.first_at at time zone v_zone)::date
    from first_answers f
    join roles d on d.share = f.share and d.entity_id = f.entity_id and d.k = f.den_k and d.is_den
    where (f.first_at at time zone v_zone)::date <> (d.event_timestamp at time zone v_zone)::date
    returning *
  ),
  -- Only links that changed move a rate.
  changed as (
    (select a.share, a.denominator_event_id, a.target_day, a.source_day from added a
     except all
     select o.share, o.denominator_event_id, o.target_day, o.source_day from unnest(v_old) o)
    union all
    (select o.share, o.denominator_event_id, o.target_day, o.source_day from unnest(v_old) o
     except all
     select a.share, a.denominator_event_id, a.target_day, a.source_day from added a)
  )
  select distinct c.target_day from changed c;
end;
$$;
comment on function analytics.recompute_share_links(text, text[], timestamptz) is
  'Replaces the share links (analytics.etl_share_links) of the given payments, calls or notifications from their whole stored history up to p_horizon; returns the target days whose rates need a recount.';
revoke all on function analytics.recompute_share_links(text, text[], timestamptz) from public, anon, authenticated;
grant execute on function analytics.recompute_share_links(text, text[], timestamptz) to service_role;

-- A user's notification sends and opt-outs, for the opt-out links. Partial, so that the lookup of
-- the day's opted-out users reads only those events, not every event they have stored
-- (events_raw_user_id_idx), and other events' ingestion pays nothing for it.
create index events_raw_opt_out_user_idx on public.events_raw (user_id, event_timestamp)
  where event_type in ('notification_sent', 'notification_opted_out');
comment on index public.events_raw_opt_out_user_idx is
  'ETL: a user''s notification sends and opt-outs, to find which earlier sends a later opt-out answers (opt-out rate).';

-- Recomputes the opt-out links of the given users from their stored notification sends and
-- opt-outs up to p_horizon. Returns the target days of the links that changed.
create or replace function analytics.recompute_opt_out_links(p_users uuid[], p_horizon timestamptz)
returns setof date
language plpgsql
set search_path = ''
set plan_cache_mode = force_custom_plan
as $$
declare
  v_zone text := analytics.reporting_time_zone();
  v_old analytics.etl_opt_out_links[];
begin
  if p_users is null or cardinality(p_users) = 0 then
    return;
  end if;
  with removed as (
    delete from analytics.etl_opt_out_links l where l.user_id = any(p_users) returning l.*
  )
  select coalesce(array_agg((r.user_id, r.target_day, r.source_day)::analytics.etl_opt_out_links), '{}')
  into v_old from removed r;

  return query
  -- Per user and local day: sent or not, and the day's first opt-out; then each day's next
  -- opt-out on a later day (one sort of the users' days, no join of their events).
  with days as (
    select e.user_id, (e.event_timestamp at time zone v_zone)::date as day,
      bool_or(e.event_type = 'notification_sent') as sent,
      min(e.event_timestamp) filter (where e.event_type = 'notification_opted_out') as first_opt_out
    from public.events_raw e
    where e.user_id = any(p_users) and e.event_domain = 'notifications'
      and e.event_type in ('notification_sent', 'notification_opted_out') and e.event_timestamp < p_horizon
    group by 1, 2
  ),
  later as (
    select d.user_id, d.day, d.sent, d.first_opt_out,
      min(d.first_opt_out) over (partition by d.user_id order by d.day rows between 1 following and unbounded following) as next_opt_out
    from days d
  ),
  added as (
    insert into analytics.etl_opt_out_links (user_id, target_day, source_day)
    select l.user_id, l.day, (l.next_opt_out at time zone v_zone)::date
    from later l
    where l.sent and l.first_opt_out is null and l.next_opt_out is not null
    returning *
  ),
  changed as (
    (select a.user_id, a.target_day, a.source_day from added a
     except all
     select o.user_id, o.target_day, o.source_day from unnest(v_old) o)
    union all
    (select o.user_id, o.target_day, o.source_day from unnest(v_old) o
     except all
     select a.user_id, a.target_day, a.source_day from added a)
  )
  select distinct c.target_day from changed c;
end;
$$;
comment on function analytics.recompute_opt_out_links(uuid[], timestamptz) is
  'Replaces the opt-out links (analytics.etl_opt_out_links) of the given users from their stored sends and opt-outs up to p_horizon; returns the target days whose opt-out rates need a recount.';
revoke all on function analytics.recompute_opt_out_links(uuid[], timestamptz) from public, anon, authenticated;
grant execute on function analytics.recompute_opt_out_links(uuid[], timestamptz) to service_role;

-- Brings the rates of computed days up to date with the links: rate = (answered the same day +
-- answered later) / denominator, for the metrics rows of those days. Takes each day's job lock
-- (latest day first, as a day's job does before it refreshes earlier days).
create or replace function analytics.refresh_share_rates(p_job text, p_days date[])
returns bigint
language plpgsql
set search_path = ''
set plan_cache_mode = force_custom_plan
as $$
declare
  v_day date;
  v_rows bigint := 0;
  v_n bigint;
begin
  if p_days is null or cardinality(p_days) = 0 then
    return 0;
  end if;
  for v_day in select distinct d from unnest(p_days) as d where d is not null order by d desc loop
    perform pg_advisory_xact_lock(hashtext('analytics.etl:' || p_job), v_day - date '2000-01-01');
  end loop;

  case p_job
  when 'payments' then
    update public.metrics_daily_payments m
    set attempts_succeeded = s.success + coalesce(l.success, 0),
        successes_refunded = s.refund + coalesce(l.refund, 0),
        success_rate = (s.success + coalesce(l.success, 0))::double precision / nullif(m.attempts, 0),
        refund_rate = (s.refund + coalesce(l.refund, 0))::double precision / nullif(m.successes, 0)
    from (
      select x.metric_date, x.dim1, x.dim2, x.dim3,
        coalesce(sum(x.answered) filter (where x.share = 'success'), 0) as success,
        coalesce(sum(x.answered) filter (where x.share = 'refund'), 0) as refund
      from analytics.etl_share_same_day x
      where x.metric_date = any(p_days) and x.share in ('success', 'refund')
      group by x.metric_date, x.dim1, x.dim2, x.dim3
    ) s
    left join (
      select l.target_day, l.dim1, l.dim2, l.dim3,
        count(*) filter (where l.share = 'success') as success, count(*) filter (where l.share = 'refund') as refund
      from analytics.etl_share_links l
      where l.target_day = any(p_days) and l.share in ('success', 'refund')
      group by grouping sets ((l.target_day, l.dim1, l.dim2, l.dim3), (l.target_day, l.dim3))
      having not (grouping(l.dim1) = 0 and (l.dim1 is null or l.dim2 is null))
    ) l on l.target_day = s.metric_date and l.dim1 is not distinct from s.dim1 and l.dim2 is not distinct from s.dim2
       and l.dim3 is not distinct from s.dim3
    where m.metric_date = s.metric_date and m.provider is not distinct from s.dim1
      and m.country_code is not distinct from s.dim2 and m.currency = s.dim3;
  when 'calls' then
    update public.metrics_daily_calls m
    set started_answered = s.answer + coalesce(l.answer, 0),
        answered_completed = s.completion + coalesce(l.completion, 0),
        answered_dropped = s.dropped + coalesce(l.dropped, 0),
        answered_recorded = s.recording + coalesce(l.recording, 0),
        answer_rate = (s.answer + coalesce(l.answer, 0))::double precision / nullif(m.started, 0),
        completion_rate = (s.completion + coalesce(l.completion, 0))::double precision / nullif(m.answered, 0),
        drop_rate = (s.dropped + coalesce(l.dropped, 0))::double precision / nullif(m.answered, 0),
        recording_rate = (s.recording + coalesce(l.recording, 0))::double precision / nullif(m.answered, 0)
    from (
      select x.metric_date, x.dim1, x.dim2,
        coalesce(sum(x.answered) filter (where x.share = 'answer'), 0) as answer,
        coalesce(sum(x.answered) filter (where x.share = 'completion'), 0) as completion,
        coalesce(sum(x.answered) filter (where x.share = 'drop'), 0) as dropped,
        coalesce(sum(x.answered) filter (where x.share = 'recording'), 0) as recording
      from analytics.etl_share_same_day x
      where x.metric_date = any(p_days) and x.share in ('answer', 'completion', 'drop', 'recording')
      group by x.metric_date, x.dim1, x.dim2
    ) s
    left join (
      select l.target_day, l.dim1, l.dim2,
        count(*) filter (where l.share = 'answer') as answer, count(*) filter (where l.share = 'completion') as completion,
        count(*) filter (where l.share = 'drop') as dropped, count(*) filter (where l.share = 'recording') as recording
      from analytics.etl_share_links l
      where l.target_day = any(p_days) and l.share in ('answer', 'completion', 'drop', 'recording')
      group by grouping sets ((l.target_day, l.dim1, l.dim2), (l.target_day))
      having not (grouping(l.dim1) = 0 and (l.dim1 is null or l.dim2 is null))
    ) l on l.target_day = s.metric_date and l.dim1 is not distinct from s.dim1 and l.dim2 is not distinct from s.dim2
    where m.metric_date = s.metric_date and m.service_code is not distinct from s.dim1
      and m.provider is not distinct from s.dim2;
  when 'engagement' then
    update public.metrics_daily_engagement m
    set delivered_opened = s.ctr, users_sent_opted_out = s.opt_out,
        notification_ctr = s.ctr::double precision / nullif(m.notifications_delivered, 0),
        opt_out_rate = s.opt_out::double precision / nullif(m.users_sent, 0)
    from (
      select x.metric_date,
        coalesce(sum(x.answered) filter (where x.share = 'ctr'), 0)
          + (select count(*) from analytics.etl_share_links l where l.target_day = x.metric_date and l.share = 'ctr') as ctr,
        coalesce(sum(x.answered) filter (where x.share = 'opt_out'), 0)
          + (select count(*) from analytics.etl_opt_out_links o where o.target_day = x.metric_date) as opt_out
      from analytics.etl_share_same_day x
      where x.metric_date = any(p_days) and x.share in ('ctr', 'opt_out')
      group by x.metric_date
    ) s
    where m.metric_date = s.metric_date;
  else
    raise exception 'refresh_share_rates: no rates in job %', p_job using errcode = '22023';
  end case;
  get diagnostics v_n = row_count;
  v_rows := v_rows + v_n;
  return v_rows;
end;
$$;
comment on function analytics.refresh_share_rates(text, date[]) is
  'Recounts the share rates of the given days'' rows of one job (payments, calls or engagement) from the same-day counts and the links, under each day''s job lock. Returns the rows updated.';
revoke all on function analytics.refresh_share_rates(text, date[]) from public, anon, authenticated;
grant execute on function analytics.refresh_share_rates(text, date[]) to service_role;

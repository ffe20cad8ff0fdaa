-- KPI contract v2: the state that keeps every day's metrics equal to a computation from scratch
-- (DESIGN.md §10.3, §10.4) at a cost that follows what arrived, not what is stored.
--
-- Rates are shares attributed to the denominator's day. An outcome answers the latest denominator
-- event of its entity at or before it (order: time, denominator first, event id): a success the
-- latest attempt of its payment, a refund the latest success, an answer the latest start of its
-- call, an end, drop or recorded end the latest answer, an open the latest delivery. A denominator
-- counts in the numerator once it is answered. Answers on the denominator's own day are counted by
-- that day's writer from its own scan; answers that came on a later day are kept here as links
-- (analytics.etl_share_links), so that a day's rate is brought up to date by a recount, without
-- scanning the day again. The opt-out rate is per user: a user sent a notification on D counts
-- once they opted out on D or later (analytics.etl_opt_out_links for opt-outs on later days).

-- The numerators of the shares, stored beside the rates so that BI tools can re-aggregate a rate
-- over days and rows (sum of numerators / sum of denominators). Null on rows computed before v2.
alter table public.metrics_daily_payments
  add column attempts_succeeded bigint,
  add column successes_refunded bigint;
comment on column public.metrics_daily_payments.attempts_succeeded is 'Attempts of the day answered by a success (so far); numerator of success_rate. Additive.';
comment on column public.metrics_daily_payments.successes_refunded is 'Successes of the day refunded (so far); numerator of refund_rate. Additive.';
comment on column public.metrics_daily_payments.success_rate is 'attempts_succeeded / attempts: the share of the day''s attempts a success answered (at any time so far); null when no attempt.';
comment on column public.metrics_daily_payments.refund_rate is 'successes_refunded / successes: the share of the day''s successes refunded (at any time so far); null when no success.';
alter table public.metrics_daily_calls
  add column started_answered bigint,
  add column answered_completed bigint,
  add column answered_dropped bigint,
  add column answered_recorded bigint;
comment on column public.metrics_daily_calls.started_answered is 'Calls started on the day that were answered (so far); numerator of answer_rate. Additive.';
comment on column public.metrics_daily_calls.answered_completed is 'Calls answered on the day that ended normally (so far); numerator of completion_rate. Additive.';
comment on column public.metrics_daily_calls.answered_dropped is 'Calls answered on the day that dropped (so far); numerator of drop_rate. Additive.';
comment on column public.metrics_daily_calls.answered_recorded is 'Calls answered on the day that ended recorded (so far); numerator of recording_rate. Additive.';
comment on column public.metrics_daily_calls.answer_rate is 'started_answered / started.';
comment on column public.metrics_daily_calls.completion_rate is 'answered_completed / answered.';
comment on column public.metrics_daily_calls.drop_rate is 'answered_dropped / answered.';
comment on column public.metrics_daily_calls.recording_rate is 'answered_recorded / answered.';
alter table public.metrics_daily_engagement
  add column delivered_opened bigint,
  add column users_sent bigint,
  add column users_sent_opted_out bigint;
comment on column public.metrics_daily_engagement.delivered_opened is 'Notifications delivered on the day that were opened (so far); numerator of notification_ctr. Additive.';
comment on column public.metrics_daily_engagement.users_sent is 'Distinct users sent a notification on the day; denominator of opt_out_rate. Not additive across days.';
comment on column public.metrics_daily_engagement.users_sent_opted_out is 'Of those, users who opted out on the day or later (so far); numerator of opt_out_rate.';
comment on column public.metrics_daily_engagement.notification_ctr is 'delivered_opened / notifications_delivered.';
comment on column public.metrics_daily_engagement.opt_out_rate is 'users_sent_opted_out / users_sent.';
comment on column public.metrics_daily_engagement.dau is 'Distinct users with a user-initiated event on the day.';

-- The BI views (20261204000510) with the numerators appended, so that a rate re-aggregates as
-- sum(numerator) / sum(denominator) over days and rows.
create or replace view public.metrics_payments_detail with (security_invoker = true) as
select metric_date, provider, country_code, currency, attempts, fallback_attempts, successes, failures, refunds,
  success_rate, fallback_rate, refund_rate, gross_cents, refunded_cents, revenue_cents, avg_transaction_cents,
  attempts_succeeded, successes_refunded
from public.metrics_daily_payments
where provider is not null;
create or replace view public.metrics_payments_currency_totals with (security_invoker = true) as
select metric_date, currency, attempts, fallback_attempts, successes, failures, refunds,
  success_rate, fallback_rate, refund_rate, gross_cents, refunded_cents, revenue_cents, avg_transaction_cents,
  attempts_succeeded, successes_refunded
from public.metrics_daily_payments
where provider is null;
create or replace view public.metrics_calls_detail with (security_invoker = true) as
select metric_date, service_code, provider, started, answered, completed, dropped, recorded,
  answer_rate, completion_rate, drop_rate, recording_rate,
  coalesce(round(duration_avg_s * completed)::bigint, 0) as duration_total_s, duration_avg_s, duration_p95_s,
  started_answered, answered_completed, answered_dropped, answered_recorded
from public.metrics_daily_calls
where service_code is not null;
create or replace view public.metrics_calls_totals with (security_invoker = true) as
select metric_date, started, answered, completed, dropped, recorded,
  answer_rate, completion_rate, drop_rate, recording_rate,
  coalesce(round(duration_avg_s * completed)::bigint, 0) as duration_total_s, duration_avg_s, duration_p95_s,
  started_answered, answered_completed, answered_dropped, answered_recorded
from public.metrics_daily_calls
where service_code is null;
create or replace view public.metrics_engagement_daily with (security_invoker = true) as
select metric_date, dau, wau, mau, notifications_sent, notifications_delivered, notifications_opened,
  notifications_opted_out, notification_ctr, opt_out_rate, listens,
  coalesce(round(listen_through_avg_pct * listens)::bigint, 0) as listen_percent_total, listen_through_avg_pct,
  delivered_opened, users_sent, users_sent_opted_out
from public.metrics_daily_engagement;

-- The view columns whose meaning v2 changed or added, with the same text in every view that has them.
do $$
declare
  v_view text;
  v_column text;
  v_text text;
begin
  for v_view, v_column, v_text in
    select c.relname, a.attname, t.body
    from pg_catalog.pg_class c
    join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
    join (values
      ('metric_date', 'Local day (reporting time zone, analytics.reporting_time_zone()) the row describes. Group by it, or by date_trunc(''week'', metric_date), to chart.'),
      ('attempts_succeeded', 'Attempts of the day answered by a success (so far); numerator of success_rate. Additive.'),
      ('successes_refunded', 'Successes of the day refunded (so far); numerator of refund_rate. Additive.'),
      ('success_rate', 'attempts_succeeded / attempts (a share of the day''s attempts). Not additive: re-aggregate as sum(attempts_succeeded)::float8 / nullif(sum(attempts), 0).'),
      ('refund_rate', 'successes_refunded / successes (a share of the day''s successes). Not additive: sum(successes_refunded)::float8 / nullif(sum(successes), 0).'),
      ('successes', 'payment_succeeded events; denominator of refund_rate and avg_transaction_cents. Additive.'),
      ('refunds', 'refund_issued events (of payments of any day). Additive.'),
      ('started_answered', 'Calls started on the day that were answered (so far); numerator of answer_rate. Additive.'),
      ('answered_completed', 'Calls answered on the day that ended normally (so far); numerator of completion_rate. Additive.'),
      ('answered_dropped', 'Calls answered on the day that dropped (so far); numerator of drop_rate. Additive.'),
      ('answered_recorded', 'Calls answered on the day that ended recorded (so far); numerator of recording_rate. Additive.'),
      ('answered', 'call_answered events; denominator of completion_rate, drop_rate and recording_rate. Additive.'),
      ('completed', 'call_ended events; count behind duration_avg_s. Additive.'),
      ('dropped', 'call_dropped events. Additive.'),
      ('recorded', 'call_ended events with metadata.recorded = true. Additive.'),
      ('answer_rate', 'started_answered / started. Not additive: sum(started_answered)::float8 / nullif(sum(started), 0).'),
      ('completion_rate', 'answered_completed / answered. Not additive: sum(answered_completed)::float8 / nullif(sum(answered), 0).'),
      ('drop_rate', 'answered_dropped / answered. Not additive: sum(answered_dropped)::float8 / nullif(sum(answered), 0).'),
      ('recording_rate', 'answered_recorded / answered. Not additive: sum(answered_recorded)::float8 / nullif(sum(answered), 0).'),
      ('dau', 'Distinct users with a user-initiated event on the day. Not additive: a sum over days counts a user once per active day.'),
      ('wau', 'Distinct users active (user-initiated events) in the 7 days ending on the day. Not additive; read the value of the last day of a week.'),
      ('mau', 'Distinct users active (user-initiated events) in the 30 days ending on the day. Not additive; read the value of the last day of a period.'),
      ('notifications_sent', 'notification_sent events. Additive.'),
      ('notifications_opened', 'notification_opened events (of notifications delivered any day). Additive.'),
      ('notifications_opted_out', 'notification_opted_out events. Additive.'),
      ('delivered_opened', 'Notifications delivered on the day that were opened (so far); numerator of notification_ctr. Additive.'),
      ('users_sent', 'Distinct users sent a notification on the day; denominator of opt_out_rate. Not additive across days.'),
      ('users_sent_opted_out', 'Of users_sent, those who opted out on the day or later (so far); numerator of opt_out_rate. Not additive across days.'),
      ('notification_ctr', 'delivered_opened / notifications_delivered. Not additive: sum(delivered_opened)::float8 / nullif(sum(notifications_delivered), 0).'),
      ('opt_out_rate', 'users_sent_opted_out / users_sent (distinct users of the day). Not additive, and not re-aggregatable over days (a user sent on several days counts on each).')
    ) as t(col, body) on t.col = a.attname
    where c.relnamespace = 'public'::regnamespace and c.relkind = 'v' and c.relname like 'metrics\_%'
  loop
    execute format('comment on column public.%I.%I is %L', v_view, v_column, v_text);
  end loop;
end;
$$;

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
comment on index analytics.etl_share_links_target_idx is 'Recounting the rates of a day.';
comment on index analytics.etl_share_links_entity_idx is 'Recomputing the links of an entity.';
alter table analytics.etl_share_links enable row level security;
revoke all on analytics.etl_share_links from public, anon, authenticated;
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
comment on index analytics.etl_opt_out_links_target_idx is 'Recounting the opt-out rate of a day.';
alter table analytics.etl_opt_out_links enable row level security;
revoke all on analytics.etl_opt_out_links from public, anon, authenticated;
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

-- Recomputes every link of the given entities of one domain from their whole stored history up to
-- p_horizon. Returns the target days of the links that changed (their rates need a recount).
create or replace function analytics.recompute_share_links(p_domain text, p_entities text[], p_horizon timestamptz)
returns setof date
language plpgsql
set search_path = ''
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

-- Recomputes the opt-out links of the given users from their stored notification sends and
-- opt-outs up to p_horizon. Returns the target days of the links that changed.
create or replace function analytics.recompute_opt_out_links(p_users uuid[], p_horizon timestamptz)
returns setof date
language plpgsql
set search_path = ''
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
  with hist as (
    select e.user_id, e.event_type, e.event_timestamp
    from public.events_raw e
    where e.user_id = any(p_users) and e.event_domain = 'notifications'
      and e.event_type in ('notification_sent', 'notification_opted_out') and e.event_timestamp < p_horizon
  ),
  sent_days as (
    select distinct h.user_id, (h.event_timestamp at time zone v_zone)::date as day
    from hist h where h.event_type = 'notification_sent'
  ),
  added as (
    insert into analytics.etl_opt_out_links (user_id, target_day, source_day)
    select s.user_id, s.day, (min(o.event_timestamp) at time zone v_zone)::date
    from sent_days s
    join hist o on o.user_id = s.user_id and o.event_type = 'notification_opted_out'
      and o.event_timestamp >= s.day::timestamp at time zone v_zone
    group by s.user_id, s.day
    having (min(o.event_timestamp) at time zone v_zone)::date > s.day
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

-- ---- Computed days, activity changes, the pipeline --------------------------------------------

create table analytics.etl_days (
  metric_date date not null,
  time_zone text not null,
  computed_at timestamptz not null default now(),
  constraint etl_days_pkey primary key (metric_date)
);
comment on table analytics.etl_days is
  'Every computed local day and the reporting time zone it was computed in (days older than raw retention keep theirs). Kept as long as the metrics (2 years).';
comment on column analytics.etl_days.metric_date is 'The local day.';
comment on column analytics.etl_days.time_zone is 'The reporting time zone of its last computation.';
comment on column analytics.etl_days.computed_at is 'When its pipeline last ran.';
alter table analytics.etl_days enable row level security;
revoke all on analytics.etl_days from public, anon, authenticated;
grant select, insert, update, delete on analytics.etl_days to service_role;

-- Days computed under v1 (UTC days), and their recomputation in v2 by the first nightly run.
insert into analytics.etl_days (metric_date, time_zone)
select distinct r.target_date, 'UTC' from public.etl_job_runs r where r.status = 'succeeded' and r.job_name <> 'pipeline'
on conflict do nothing;
insert into analytics.etl_recompute_requests (metric_date, reason)
select d.metric_date, 'kpi_v2' from analytics.etl_days d
where d.metric_date >= analytics.raw_retention_first_day() and d.metric_date < analytics.reporting_today();

-- Activity that changed on a day which other computed days depend on (WAU/MAU of the next 29 days,
-- the cohorts the user moves between): written by the engagement job, applied and deleted by the
-- nightly run (analytics.apply_activity_changes). User-level (GDPR erasure finds its user_id).
create table analytics.etl_activity_changes (
  change_id bigint generated always as identity,
  user_id uuid not null,
  activity_date date not null,
  old_first_seen date,
  changed_at timestamptz not null default now(),
  constraint etl_activity_changes_pkey primary key (change_id)
);
comment on table analytics.etl_activity_changes is
  'A user''s activity on a day was recorded or removed while later computed days depend on it; analytics.apply_activity_changes brings those days'' WAU/MAU and cohort rows up to date and deletes the rows it read.';
comment on column analytics.etl_activity_changes.change_id is 'Identity; the nightly run deletes the changes it applied by id.';
comment on column analytics.etl_activity_changes.user_id is 'Pseudonymous user uuid.';
comment on column analytics.etl_activity_changes.activity_date is 'Local day whose activity of the user changed.';
comment on column analytics.etl_activity_changes.old_first_seen is 'The user''s first-seen day before the change (null: none).';
comment on column analytics.etl_activity_changes.changed_at is 'When the change was recorded.';
alter table analytics.etl_activity_changes enable row level security;
revoke all on analytics.etl_activity_changes from public, anon, authenticated;
grant select, insert, delete on analytics.etl_activity_changes to service_role;

-- The days the running nightly (or rebuild, or pipeline) computes in full, in this transaction.
create or replace function analytics.etl_run_days()
returns date[]
language sql
stable
set search_path = ''
as $$
  select coalesce(nullif(current_setting('analytics.etl_run_days', true), '')::date[], '{}')
$$;
comment on function analytics.etl_run_days() is
  'The local days the current transaction''s ETL run computes in full (transaction setting analytics.etl_run_days): their own jobs bring them up to date, so changes elsewhere need not.';
revoke all on function analytics.etl_run_days() from public, anon, authenticated;
grant execute on function analytics.etl_run_days() to service_role;

-- The pipeline of 20261201000100 for a local day: BRIN summaries of the day's partitions, every job
-- (engagement before cohort_retention), and the day recorded with its zone in analytics.etl_days.
create or replace function analytics.run_daily_etl_pipeline(p_date date)
returns text
language plpgsql
set search_path = ''
as $$
declare
  v_zone text := analytics.reporting_time_zone();
  v_job text;
  v_run public.etl_job_runs;
  v_pipeline_id bigint;
  v_rows bigint := 0;
  v_failed text[] := '{}'::text[];
  v_error text;
  v_status text;
  v_lock_timeout text := current_setting('lock_timeout');
  v_run_days text := current_setting('analytics.etl_run_days', true);
begin
  if p_date is null then
    raise exception 'run_daily_etl_pipeline: date is required' using errcode = '22004';
  end if;
  insert into public.etl_job_runs (job_name, target_date, started_at, status)
  values ('pipeline', p_date, clock_timestamp(), 'running')
  returning id into v_pipeline_id;
  -- The day's own cohort job follows its engagement job: changes of the day's activity need no
  -- other propagation for it.
  perform set_config('analytics.etl_run_days', (analytics.etl_run_days() || p_date)::text, true);

  -- The partitions the day's scans read. Summarizing holds each one's share update exclusive lock
  -- to the end of the transaction: when another run (or a vacuum) holds it, skip rather than wait.
  -- A failure here only makes the scans slower, never the results different.
  begin
    perform set_config('lock_timeout', '1s', true);
    perform analytics.summarize_events_brin(p_date::timestamp at time zone v_zone, (p_date + 1)::timestamp at time zone v_zone);
    perform set_config('lock_timeout', v_lock_timeout, true);
  exception when others then
    get stacked diagnostics v_error = message_text;
    raise notice 'run_daily_etl_pipeline: BRIN summaries skipped: %', v_error;
  end;

  -- Engagement before cohort_retention: it maintains the activity tables cohorts read.
  foreach v_job in array array['fulfillment', 'payments', 'calls', 'engagement', 'content', 'cohort_retention'] loop
    begin
      v_run := analytics.run_etl_job(v_job, p_date);
      v_rows := v_rows + coalesce(v_run.rows_written, 0);
      if v_run.status <> 'succeeded' then
        v_failed := v_failed || v_job;
      end if;
    exception when others then
      -- run_etl_job records its own failures; this only catches one it could not record.
      get stacked diagnostics v_error = message_text;
      v_failed := v_failed || v_job;
      raise warning 'ETL job % for % failed unrecorded: %', v_job, p_date, v_error;
    end;
  end loop;

  insert into analytics.etl_days as d (metric_date, time_zone, computed_at) values (p_date, v_zone, now())
  on conflict (metric_date) do update set time_zone = excluded.time_zone, computed_at = excluded.computed_at;
  perform set_config('analytics.etl_run_days', coalesce(v_run_days, ''), true);

  v_status := case when cardinality(v_failed) = 0 then 'succeeded' else 'failed' end;
  update public.etl_job_runs
  set status = v_status, finished_at = clock_timestamp(), rows_written = v_rows,
    error = case when v_status = 'failed' then 'failed jobs: ' || array_to_string(v_failed, ', ') end
  where id = v_pipeline_id;
  return v_status;
end;
$$;
comment on function analytics.run_daily_etl_pipeline(date) is
  'Runs every daily ETL job for one local day (reporting time zone), each isolated so one failure does not stop the others, after summarizing new BRIN ranges of the day''s partitions; records the day and its zone in analytics.etl_days and a "pipeline" etl_job_runs row. Returns succeeded | failed.';
revoke all on function analytics.run_daily_etl_pipeline(date) from public, anon, authenticated;
grant execute on function analytics.run_daily_etl_pipeline(date) to service_role;

-- ---- Propagation to days outside a run ---------------------------------------------------------

create or replace function analytics.refresh_activity_counts(p_days date[])
returns bigint
language plpgsql
set search_path = ''
as $$
declare
  v_day date;
  v_rows bigint := 0;
  v_n bigint;
begin
  for v_day in select distinct d from unnest(p_days) as d where d is not null order by d desc loop
    perform pg_advisory_xact_lock(hashtext('analytics.etl:engagement'), v_day - date '2000-01-01');
    update public.metrics_daily_engagement m
    set dau = u.dau, wau = u.wau, mau = u.mau
    from (
      select count(distinct a.user_id) filter (where a.activity_date = v_day) as dau,
        count(distinct a.user_id) filter (where a.activity_date > v_day - 7) as wau,
        count(distinct a.user_id) as mau
      from analytics.user_daily_activity a
      where a.activity_date > v_day - 30 and a.activity_date <= v_day
    ) u
    where m.metric_date = v_day;
    get diagnostics v_n = row_count;
    v_rows := v_rows + v_n;
  end loop;
  return v_rows;
end;
$$;
comment on function analytics.refresh_activity_counts(date[]) is
  'Recomputes DAU/WAU/MAU of the given computed days from the activity table (after activity of earlier days changed). Returns the rows updated.';
revoke all on function analytics.refresh_activity_counts(date[]) from public, anon, authenticated;
grant execute on function analytics.refresh_activity_counts(date[]) to service_role;

-- Rewrites the rows of whole cohorts observed on computed days outside p_skip (the days a run
-- computes in full write their own rows).
create or replace function analytics.refresh_cohorts(p_cohorts date[], p_skip date[])
returns bigint
language plpgsql
set search_path = ''
set enable_nestloop = off
as $$
declare
  v_rows bigint;
begin
  if p_cohorts is null or cardinality(p_cohorts) = 0 then
    return 0;
  end if;
  delete from public.metrics_cohort_retention r
  where r.cohort_date = any(p_cohorts) and not (r.cohort_date + r.retention_day = any(p_skip));

  insert into public.metrics_cohort_retention (cohort_date, retention_day, cohort_size, retained_users, retention_rate)
  select c.cohort_date, o.metric_date - c.cohort_date, c.size, coalesce(r.retained, 0), coalesce(r.retained, 0)::double precision / c.size
  from (
    select f.first_seen_date as cohort_date, count(*) as size
    from analytics.user_first_seen f where f.first_seen_date = any(p_cohorts)
    group by f.first_seen_date
  ) c
  join analytics.etl_days o on o.metric_date >= c.cohort_date and o.metric_date <= c.cohort_date + 365
    and not (o.metric_date = any(p_skip))
  left join (
    select f.first_seen_date as cohort_date, a.activity_date, count(*) as retained
    from analytics.user_first_seen f
    join analytics.user_daily_activity a on a.user_id = f.user_id and a.activity_date >= f.first_seen_date
    where f.first_seen_date = any(p_cohorts)
    group by f.first_seen_date, a.activity_date
  ) r on r.cohort_date = c.cohort_date and r.activity_date = o.metric_date;
  get diagnostics v_rows = row_count;
  return v_rows;
end;
$$;
comment on function analytics.refresh_cohorts(date[], date[]) is
  'Rewrites every row of the given cohorts observed on computed days not in p_skip, from user_first_seen and user_daily_activity. Returns the rows written.';
revoke all on function analytics.refresh_cohorts(date[], date[]) from public, anon, authenticated;
grant execute on function analytics.refresh_cohorts(date[], date[]) to service_role;

-- Applies the recorded activity changes to the days outside the run, then deletes what it read.
create or replace function analytics.apply_activity_changes(p_skip date[])
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  v_ids bigint[];
  v_days date[];
  v_cohorts date[];
begin
  select coalesce(array_agg(c.change_id), '{}') into v_ids from analytics.etl_activity_changes c;
  if cardinality(v_ids) = 0 then
    return jsonb_build_object('changes', 0);
  end if;
  -- WAU/MAU of the 30 days starting at each changed day.
  select coalesce(array_agg(distinct d.metric_date), '{}') into v_days
  from analytics.etl_activity_changes c
  join analytics.etl_days d on d.metric_date >= c.activity_date and d.metric_date < c.activity_date + 30
  where c.change_id = any(v_ids) and not (d.metric_date = any(p_skip));
  -- Cohorts the user left or joined; and the user's cohort when the changed day's own row was not
  -- rewritten by the run.
  select coalesce(array_agg(distinct x.cohort), '{}') into v_cohorts
  from analytics.etl_activity_changes c
  left join analytics.user_first_seen f on f.user_id = c.user_id
  cross join lateral (values
    (case when c.old_first_seen is distinct from f.first_seen_date then c.old_first_seen end),
    (case when c.old_first_seen is distinct from f.first_seen_date or not (c.activity_date = any(p_skip))
          then f.first_seen_date end)) as x(cohort)
  where c.change_id = any(v_ids) and x.cohort is not null;

  perform analytics.refresh_activity_counts(v_days);
  perform analytics.refresh_cohorts(v_cohorts, p_skip);
  delete from analytics.etl_activity_changes c where c.change_id = any(v_ids);
  return jsonb_build_object('changes', cardinality(v_ids), 'activity_days', cardinality(v_days), 'cohorts', cardinality(v_cohorts));
end;
$$;
comment on function analytics.apply_activity_changes(date[]) is
  'Brings the WAU/MAU and cohort rows of computed days outside p_skip up to date with the recorded activity changes (analytics.etl_activity_changes), then deletes the changes it read.';
revoke all on function analytics.apply_activity_changes(date[]) from public, anon, authenticated;
grant execute on function analytics.apply_activity_changes(date[]) to service_role;

-- ---- Late-day marks in local days ---------------------------------------------------------------

-- The trigger of 20261204000120 (append-only marks that ingestion never waits for), in local days,
-- for every past local day (computed or not: a day within raw retention that receives events is
-- computed, and what they change elsewhere too) and every computed day, each mark carrying the
-- events' ingested_at: the nightly run reads exactly the events that arrived with its marks.
-- Today's events are not marked: the nightly run computes today tomorrow, whole.
create or replace function analytics.mark_late_event_days()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_zone text := analytics.reporting_time_zone();
  v_today date := (now() at time zone v_zone)::date;
begin
  insert into analytics.etl_late_day_marks (metric_date, marked_at)
  select d.day, d.ingested_at
  from (select distinct (n.event_timestamp at time zone v_zone)::date as day, n.ingested_at from new_events n) d
  where d.day < v_today
     or exists (select 1 from analytics.etl_days c where c.metric_date = d.day);
  return null;
end;
$$;
comment on function analytics.mark_late_event_days() is
  'AFTER INSERT statement trigger on events_raw: appends a mark (analytics.etl_late_day_marks: local day, the events'' ingested_at) for each past local day and each computed day that received new events.';
revoke all on function analytics.mark_late_event_days() from public, anon, authenticated;
comment on column analytics.etl_late_day_marks.metric_date is 'The local day (reporting time zone) to recompute.';
comment on column analytics.etl_late_day_marks.marked_at is 'The ingested_at of the events that made the mark: the nightly run reads those events of the day.';

-- ---- The nightly run ----------------------------------------------------------------------------

create table analytics.etl_nightly_state (
  singleton boolean primary key default true,
  last_today date,
  last_scheduled_today date,
  user_initiated_types text[],
  updated_at timestamptz not null default now(),
  constraint etl_nightly_state_singleton check (singleton)
);
comment on table analytics.etl_nightly_state is 'What the nightly run last did (one row).';
comment on column analytics.etl_nightly_state.singleton is 'Always true: the table holds one row.';
comment on column analytics.etl_nightly_state.last_today is 'The latest "today" a nightly run computed up to (its yesterday was computed).';
comment on column analytics.etl_nightly_state.last_scheduled_today is 'Local day of the last run started by the schedule (analytics.run_nightly_etl_if_due).';
comment on column analytics.etl_nightly_state.user_initiated_types is 'The catalog''s user-initiated types the last run used; a change makes the next run recompute raw retention.';
comment on column analytics.etl_nightly_state.updated_at is 'When a run last changed this row.';
-- The schedule's first run is tomorrow after 02:00 local, as the daily 02:00 job it replaces.
insert into analytics.etl_nightly_state (user_initiated_types, last_scheduled_today)
values (analytics.user_initiated_event_types(), analytics.reporting_today()) on conflict do nothing;
alter table analytics.etl_nightly_state enable row level security;
revoke all on analytics.etl_nightly_state from public, anon, authenticated;
grant select, update on analytics.etl_nightly_state to service_role;

-- Computes the given days in full, oldest first, after bringing the links of the new events up to
-- date, then the rates, activity windows, cohorts, orders and horoscopes of the other days they
-- change. p_new: the (day, ingested_at) of events that are new on days not computed in full.
create or replace function analytics.etl_process(p_full date[], p_new jsonb, p_today date, p_label text)
returns table (metric_date date, status text)
language plpgsql
set search_path = ''
as $$
declare
  v_zone text := analytics.reporting_time_zone();
  v_horizon timestamptz := p_today::timestamp at time zone v_zone;
  v_marked date[];
  v_run date[];
  v_pay text[] := '{}'::text[];
  v_calls text[] := '{}'::text[];
  v_notes text[] := '{}'::text[];
  v_users uuid[] := '{}'::uuid[];
  v_ingested timestamptz[];
  v_since_ids text[] := '{}'::text[];
  v_since_at timestamptz[] := '{}'::timestamptz[];
  v_orders jsonb;
  v_content jsonb;
  v_targets_pay date[];
  v_targets_calls date[];
  v_targets_eng date[];
  v_fulfillment date[];
  v_content_days date[];
  v_day date;
  v_i int := 0;
  v_t0 timestamptz;
  v_phase timestamptz := clock_timestamp();
  v_applied jsonb;
begin
  perform set_config('analytics.etl_today', p_today::text, true);
  select coalesce(array_agg(distinct (x.key)::date order by (x.key)::date), '{}') into v_marked
  from jsonb_each(coalesce(p_new, '{}')) as x where not ((x.key)::date = any(p_full));
  select coalesce(array_agg(distinct d order by d), '{}') into v_run from unnest(p_full || v_marked) as d;
  perform set_config('analytics.etl_run_days', v_run::text, true);

  -- The new events of the marked days: one scan of each such day (its BRIN ranges, as a day's jobs
  -- read it), filtered by the ingested_at values its marks carry.
  for v_day, v_ingested in
    select (x.key)::date, array(select jsonb_array_elements_text(x.value)::timestamptz)
    from jsonb_each(coalesce(p_new, '{}')) as x where (x.key)::date = any(v_marked)
  loop
    select array_cat(v_pay, array_agg(distinct e.entity_id) filter (where e.event_domain = 'payments' and e.entity_id is not null)),
      array_cat(v_calls, array_agg(distinct e.entity_id) filter (where e.event_domain = 'calls' and e.entity_id is not null)),
      array_cat(v_notes, array_agg(distinct e.entity_id) filter (where e.event_domain = 'notifications' and e.entity_id is not null)),
      array_cat(v_users, array_agg(distinct e.user_id) filter (
        where e.event_type in ('notification_sent', 'notification_opted_out') and e.user_id is not null)),
      array_cat(v_since_ids, array_agg(e.event_domain || ':' || e.entity_id) filter (
        where e.event_domain in ('orders', 'content') and e.entity_id is not null)),
      array_cat(v_since_at, array_agg(e.event_timestamp) filter (
        where e.event_domain in ('orders', 'content') and e.entity_id is not null))
    into v_pay, v_calls, v_notes, v_users, v_since_ids, v_since_at
    from public.events_raw e
    where e.event_timestamp >= v_day::timestamp at time zone v_zone and e.event_timestamp < (v_day + 1)::timestamp at time zone v_zone
      and e.ingested_at = any(v_ingested);
  end loop;
  select jsonb_object_agg(x.id, x.since) filter (where x.id like 'orders:%'),
    jsonb_object_agg(x.id, x.since) filter (where x.id like 'content:%')
  into v_orders, v_content
  from (select u.id, min(u.at) as since from unnest(v_since_ids, v_since_at) as u(id, at) group by u.id) x;
  if cardinality(v_marked) > 0 then
    raise notice '%: new events of % day(s) read in % s', p_label, cardinality(v_marked),
      round(extract(epoch from clock_timestamp() - v_phase)::numeric, 2);
  end if;
  v_phase := clock_timestamp();

  -- Links first: the days computed in full read them.
  v_targets_pay := array(select analytics.recompute_share_links('payments', v_pay, v_horizon));
  v_targets_calls := array(select analytics.recompute_share_links('calls', v_calls, v_horizon));
  v_targets_eng := array(select analytics.recompute_share_links('notifications', v_notes, v_horizon)
                         union select analytics.recompute_opt_out_links(v_users, v_horizon));
  -- Later events of orders and horoscopes that received earlier events (attribution, time-to-X,
  -- rejection history, approval latency), on computed days.
  select coalesce(array_agg(distinct (e.event_timestamp at time zone v_zone)::date), '{}') into v_fulfillment
  from jsonb_each_text(coalesce(v_orders, '{}')) as o
  join public.events_raw e on e.event_domain = 'orders' and e.entity_id = substr(o.key, 8)
    and e.event_timestamp >= (o.value)::timestamptz and e.event_timestamp < v_horizon;
  select coalesce(array_agg(distinct (e.event_timestamp at time zone v_zone)::date), '{}') into v_content_days
  from jsonb_each_text(coalesce(v_content, '{}')) as o
  join public.events_raw e on e.event_domain = 'content' and e.entity_id = substr(o.key, 9) and e.event_type = 'horoscope_approved'
    and e.event_timestamp >= (o.value)::timestamptz and e.event_timestamp < v_horizon;

  if cardinality(v_marked) > 0 then
    raise notice '%: links and later order/horoscope days of the new events in % s', p_label,
      round(extract(epoch from clock_timestamp() - v_phase)::numeric, 2);
  end if;

  foreach v_day in array v_run loop
    v_i := v_i + 1;
    v_t0 := clock_timestamp();
    metric_date := v_day;
    status := analytics.run_daily_etl_pipeline(v_day);
    if status <> 'succeeded' then
      insert into analytics.etl_recompute_requests (metric_date, reason) values (v_day, 'failed');
    end if;
    raise notice '%: % (% of %) % in % s', p_label, v_day, v_i, cardinality(v_run), status,
      round(extract(epoch from clock_timestamp() - v_t0)::numeric, 2);
    return next;
  end loop;

  -- The other days the new events change.
  v_phase := clock_timestamp();
  perform analytics.compute_daily_fulfillment_metrics(d) from unnest(v_fulfillment) as d
  where not (d = any(v_run)) and exists (select 1 from analytics.etl_days c where c.metric_date = d);
  perform analytics.compute_daily_content_metrics(d) from unnest(v_content_days) as d
  where not (d = any(v_run)) and exists (select 1 from analytics.etl_days c where c.metric_date = d);
  perform analytics.refresh_share_rates('payments', array(select d from unnest(v_targets_pay) as d where not (d = any(v_run))));
  perform analytics.refresh_share_rates('calls', array(select d from unnest(v_targets_calls) as d where not (d = any(v_run))));
  perform analytics.refresh_share_rates('engagement', array(select d from unnest(v_targets_eng) as d where not (d = any(v_run))));
  raise notice '%: % other day(s) of orders/horoscopes and rates of % day(s) in % s', p_label,
    cardinality(v_fulfillment) + cardinality(v_content_days),
    cardinality(v_targets_pay) + cardinality(v_targets_calls) + cardinality(v_targets_eng),
    round(extract(epoch from clock_timestamp() - v_phase)::numeric, 2);
  v_phase := clock_timestamp();
  v_applied := analytics.apply_activity_changes(v_run);
  raise notice '%: activity changes % applied in % s', p_label, v_applied,
    round(extract(epoch from clock_timestamp() - v_phase)::numeric, 2);
end;
$$;
comment on function analytics.etl_process(date[], jsonb, date, text) is
  'The work of a nightly run or a rebuild: recomputes the links of the new events (p_new: {day: [ingested_at, ...]}), computes p_full and the days with new events in full, oldest first, then the fulfillment, content, rates, WAU/MAU and cohort rows of other computed days those events change. Raises a notice per day (progress).';
revoke all on function analytics.etl_process(date[], jsonb, date, text) from public, anon, authenticated;
grant execute on function analytics.etl_process(date[], jsonb, date, text) to service_role;

-- The nightly entry point: local yesterday, the days since the last run, the days asked for again
-- (time zone or catalog change, a failed day), and every day that received events since the last
-- run with what those events change on other days. One transaction; marks and requests added while
-- it runs are left for the next run, and ingestion never waits for it.
create or replace function analytics.run_nightly_etl(p_today date default null)
returns table (metric_date date, status text)
language plpgsql
set search_path = ''
as $$
declare
  v_zone text := analytics.reporting_time_zone();
  v_today date := coalesce(p_today, (now() at time zone v_zone)::date);
  v_first date := analytics.raw_retention_first_day(v_zone);
  v_state analytics.etl_nightly_state;
  v_initiated text[] := analytics.user_initiated_event_types();
  v_marks bigint[];
  v_requests bigint[];
  v_full date[];
  v_new jsonb;
begin
  -- One run at a time; a second waits and then finds the work done.
  perform pg_advisory_xact_lock(hashtext('analytics.nightly'), 0);
  select * into v_state from analytics.etl_nightly_state for update;
  if v_state.user_initiated_types is distinct from v_initiated then
    insert into analytics.etl_recompute_requests (metric_date, reason)
    select d::date, 'catalog' from generate_series(v_first, v_today - 1, interval '1 day') as d;
  end if;

  select coalesce(array_agg(m.mark_id), '{}') into v_marks
  from analytics.etl_late_day_marks m where m.metric_date < v_today;
  select coalesce(array_agg(r.request_id), '{}') into v_requests
  from analytics.etl_recompute_requests r where r.metric_date < v_today;

  -- In full: yesterday, any day since the last run's, and the requested days (within raw retention).
  select coalesce(array_agg(distinct d.day order by d.day), '{}') into v_full
  from (
    select v_today - 1 as day
    union all
    select g::date from generate_series(greatest(v_state.last_today, v_first), v_today - 1, interval '1 day') as g
    where v_state.last_today is not null
    union all
    select r.metric_date from analytics.etl_recompute_requests r where r.request_id = any(v_requests)
  ) d
  where d.day >= v_first and d.day < v_today;

  select jsonb_object_agg(x.day, x.ingested) into v_new
  from (
    select m.metric_date::text as day, jsonb_agg(distinct m.marked_at) as ingested
    from analytics.etl_late_day_marks m
    where m.mark_id = any(v_marks) and m.metric_date >= v_first and not (m.metric_date = any(v_full))
    group by m.metric_date
  ) x;

  return query select * from analytics.etl_process(v_full, v_new, v_today, 'nightly');

  delete from analytics.etl_late_day_marks m where m.mark_id = any(v_marks);
  delete from analytics.etl_recompute_requests r where r.request_id = any(v_requests);
  update analytics.etl_nightly_state
  set last_today = greatest(last_today, v_today), user_initiated_types = v_initiated, updated_at = now();
end;
$$;
comment on function analytics.run_nightly_etl(date) is
  'Nightly ETL (DESIGN.md §10.3): computes local yesterday, the days since the last run, the requested days and every day that received events since the last run, then what those events change on other days (links, rates, WAU/MAU, cohorts, order and horoscope histories); afterwards every day within raw retention equals a computation from scratch. Consumes the marks and requests it read. p_today overrides local today (tests, catch-up runs). Returns each day computed in full with its status.';
revoke all on function analytics.run_nightly_etl(date) from public, anon, authenticated;
grant execute on function analytics.run_nightly_etl(date) to service_role;

-- From scratch: every day of a range recomputed as if all its events were new (links of outcomes
-- in the range included), and what that changes on other days.
create or replace function analytics.rebuild_metrics(p_from date, p_to date, p_today date default null)
returns table (metric_date date, status text)
language plpgsql
set search_path = ''
as $$
declare
  v_today date := coalesce(p_today, (now() at time zone analytics.reporting_time_zone())::date);
  v_to date := least(p_to, v_today - 1);
  v_days date[];
  v_targets date[];
begin
  if p_from is null or p_to is null or p_from > p_to then
    raise exception 'rebuild_metrics: need from <= to' using errcode = '22023';
  end if;
  perform pg_advisory_xact_lock(hashtext('analytics.nightly'), 0);
  v_days := array(select g::date from generate_series(p_from, v_to, interval '1 day') as g);
  -- Links that answers inside the range made: recomputed by each day's jobs from its outcomes.
  with removed as (
    delete from analytics.etl_share_links l where l.source_day = any(v_days) returning l.target_day
  )
  select coalesce(array_agg(distinct r.target_day), '{}') into v_targets from removed r;
  with removed as (
    delete from analytics.etl_opt_out_links l where l.source_day = any(v_days) returning l.target_day
  )
  select v_targets || coalesce(array_agg(distinct r.target_day), '{}') into v_targets from removed r;

  return query select * from analytics.etl_process(v_days, null, v_today, 'rebuild');

  -- Days outside the range whose rates counted a removed link that no day re-created.
  perform analytics.refresh_share_rates(j, array(select d from unnest(v_targets) as d where not (d = any(v_days))))
  from unnest(array['payments', 'calls', 'engagement']) as j;
end;
$$;
comment on function analytics.rebuild_metrics(date, date, date) is
  'Recomputes every day of [p_from, p_to] (up to local yesterday) from scratch, oldest first, with everything those days change on other days; raises a notice per day (progress). Returns each day with its status.';
revoke all on function analytics.rebuild_metrics(date, date, date) from public, anon, authenticated;
grant execute on function analytics.rebuild_metrics(date, date, date) to service_role;

-- The schedule: pg_cron on hosted Supabase runs in UTC, so an hourly job starts the nightly run once
-- per local day, at the first hour at or after 02:00 local (DST-safe: a skipped or repeated hour
-- neither skips nor repeats the run).
create or replace function analytics.run_nightly_etl_if_due(p_now timestamptz default now())
returns text
language plpgsql
set search_path = ''
as $$
declare
  v_local timestamp := p_now at time zone analytics.reporting_time_zone();
begin
  if v_local::time < time '02:00' then
    return 'not yet';
  end if;
  if exists (select 1 from analytics.etl_nightly_state s where s.last_scheduled_today >= v_local::date) then
    return 'done today';
  end if;
  if not pg_try_advisory_xact_lock(hashtext('analytics.nightly'), 0) then
    return 'running';
  end if;
  perform 1 from analytics.run_nightly_etl(v_local::date);
  update analytics.etl_nightly_state set last_scheduled_today = v_local::date;
  return 'ran';
end;
$$;
comment on function analytics.run_nightly_etl_if_due(timestamptz) is
  'Called hourly by pg_cron: runs analytics.run_nightly_etl() once per local day, at the first call at or after 02:00 local time (p_now: the time of the call). Returns ran | not yet | done today | running.';
revoke all on function analytics.run_nightly_etl_if_due(timestamptz) from public, anon, authenticated;
grant execute on function analytics.run_nightly_etl_if_due(timestamptz) to service_role;

select cron.schedule('analytics-nightly-etl', '0 * * * *', 'select analytics.run_nightly_etl_if_due()');

-- The retention purge of 20261204000130, with the ETL state of this migration.
create or replace function analytics.purge_expired_data(p_now timestamptz default now())
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  v_today date := (p_now at time zone 'UTC')::date;
  v_raw_cutoff timestamptz := (v_today - 90)::timestamp at time zone 'UTC';
  v_metrics_cutoff date := (v_today - interval '2 years')::date;
  v_raw_first_day date := ((v_raw_cutoff at time zone analytics.reporting_time_zone())::date + 1);
  v_lock_timeout text := current_setting('lock_timeout');
  v_part record;
  v_expired text[] := '{}'::text[];
  v_dropped text[] := '{}'::text[];
  v_name text;
  v_count bigint;
  v_rows bigint := 0;
  v_result jsonb := '{}'::jsonb;
begin
  -- Expired rows of the partitions that outlive the cutoff (the boundary month) and of DEFAULT;
  -- partitions that end at or before the cutoff are dropped whole, below.
  for v_part in
    select c.relname::text as name, b.bounds
    from pg_catalog.pg_inherits i
    join pg_catalog.pg_class c on c.oid = i.inhrelid
    cross join lateral (
      select regexp_match(pg_catalog.pg_get_expr(c.relpartbound, c.oid), $re$FROM \('([^']+)'\) TO \('([^']+)'\)$re$) as bounds
    ) b
    where i.inhparent = 'public.events_raw'::regclass
    order by c.relname
  loop
    if v_part.bounds is null then
      delete from public.events_raw_default where event_timestamp < v_raw_cutoff;
    elsif v_part.bounds[2]::timestamptz <= v_raw_cutoff then
      v_expired := v_expired || v_part.name;
      continue;
    elsif v_part.bounds[1]::timestamptz < v_raw_cutoff then
      delete from public.events_raw where event_timestamp >= v_part.bounds[1]::timestamptz and event_timestamp < v_raw_cutoff;
    else
      continue;
    end if;
    get diagnostics v_count = row_count;
    v_rows := v_rows + v_count;
  end loop;
  v_result := v_result || jsonb_build_object('events_raw', v_rows);

  delete from public.metrics_daily_fulfillment where metric_date < v_metrics_cutoff;
  get diagnostics v_count = row_count;
  v_result := v_result || jsonb_build_object('metrics_daily_fulfillment', v_count);
  delete from public.metrics_daily_payments where metric_date < v_metrics_cutoff;
  get diagnostics v_count = row_count;
  v_result := v_result || jsonb_build_object('metrics_daily_payments', v_count);
  delete from public.metrics_daily_calls where metric_date < v_metrics_cutoff;
  get diagnostics v_count = row_count;
  v_result := v_result || jsonb_build_object('metrics_daily_calls', v_count);
  delete from public.metrics_daily_engagement where metric_date < v_metrics_cutoff;
  get diagnostics v_count = row_count;
  v_result := v_result || jsonb_build_object('metrics_daily_engagement', v_count);
  delete from public.metrics_daily_content where metric_date < v_metrics_cutoff;
  get diagnostics v_count = row_count;
  v_result := v_result || jsonb_build_object('metrics_daily_content', v_count);
  delete from public.metrics_cohort_retention where cohort_date < v_metrics_cutoff;
  get diagnostics v_count = row_count;
  v_result := v_result || jsonb_build_object('metrics_cohort_retention', v_count);
  delete from analytics.user_daily_activity where activity_date < v_metrics_cutoff;
  get diagnostics v_count = row_count;
  v_result := v_result || jsonb_build_object('user_daily_activity', v_count);

  -- ETL state of days whose events are gone (links, same-day counts: nothing recounts those days
  -- any more) and of metrics that are gone (computed days with their zone).
  delete from analytics.etl_share_links where target_day < v_raw_first_day;
  get diagnostics v_count = row_count;
  v_result := v_result || jsonb_build_object('etl_share_links', v_count);
  delete from analytics.etl_opt_out_links where target_day < v_raw_first_day;
  get diagnostics v_count = row_count;
  v_result := v_result || jsonb_build_object('etl_opt_out_links', v_count);
  delete from analytics.etl_share_same_day where metric_date < v_raw_first_day;
  get diagnostics v_count = row_count;
  v_result := v_result || jsonb_build_object('etl_share_same_day', v_count);
  delete from analytics.etl_late_day_marks where metric_date < v_raw_first_day;
  delete from analytics.etl_recompute_requests where metric_date < v_raw_first_day;
  delete from analytics.etl_days where metric_date < v_metrics_cutoff;
  get diagnostics v_count = row_count;
  v_result := v_result || jsonb_build_object('etl_days', v_count);

  delete from public.etl_job_runs where started_at < p_now - interval '1 year';
  get diagnostics v_count = row_count;
  v_result := v_result || jsonb_build_object('etl_job_runs', v_count);

  delete from cron.job_run_details where end_time < p_now - interval '30 days';
  get diagnostics v_count = row_count;
  v_result := v_result || jsonb_build_object('cron_job_run_details', v_count);

  -- Last: from the first drop on, events_raw stays locked against ingestion until this commits.
  if cardinality(v_expired) > 0 then
    for v_attempt in 1..5 loop
      begin
        perform pg_catalog.set_config('lock_timeout', '500ms', true);
        foreach v_name in array v_expired loop
          execute format('drop table public.%I', v_name);
        end loop;
        v_dropped := v_expired;
        exit;
      exception when lock_not_available then
        raise notice 'purge_expired_data: events_raw is busy (attempt % of 5)', v_attempt;
        if v_attempt < 5 then
          perform pg_catalog.pg_sleep(v_attempt);
        end if;
      end;
    end loop;
    perform pg_catalog.set_config('lock_timeout', v_lock_timeout, true);
    if cardinality(v_dropped) = 0 then
      raise warning 'purge_expired_data: could not drop % without stalling ingestion; the next run retries', array_to_string(v_expired, ', ');
    end if;
  end if;
  v_result := v_result || jsonb_build_object(
    'dropped_partitions', to_jsonb(v_dropped),
    'deferred_partitions', to_jsonb(case when cardinality(v_dropped) = 0 then v_expired else '{}'::text[] end));

  return v_result;
end;
$$;
comment on function analytics.purge_expired_data(timestamptz) is
  'Retention purge (pg_cron, daily): deletes raw events older than 90 days from the boundary partition and DEFAULT, metrics/cohorts/activity/computed days older than 2 years, ETL links and same-day counts of days no longer in raw retention, etl_job_runs older than 1 year, cron run history older than 30 days, then drops expired monthly events_raw partitions (waiting at most 500 ms per attempt, 5 attempts; partitions it could not drop are returned as deferred_partitions and dropped by the next run). Returns counts.';
revoke all on function analytics.purge_expired_data(timestamptz) from public, anon, authenticated;
grant execute on function analytics.purge_expired_data(timestamptz) to service_role;


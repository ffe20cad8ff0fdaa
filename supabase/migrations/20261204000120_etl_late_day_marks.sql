-- Late-day marks that never make ingestion wait, and are never lost. Ingest batches marked late
-- days with `insert ... on conflict do nothing` into analytics.etl_pending_days, and the nightly run
-- deleted each day's row before computing it: a batch marking that day then waited on the deleted
-- row until the whole nightly transaction ended (seconds to minutes). Now ingestion only appends
-- marks (no unique key, nothing to wait for), the nightly run reads the marks committed before it
-- starts and deletes exactly those once their day has been computed: a mark added while it runs
-- stays for the next run, whatever its id. etl_pending_days becomes a view of the marks, one row a day.
--
-- Which days are marked: as before, days with a succeeded run; and also UTC yesterday, which the
-- nightly run may be computing for the first time (its runs are not visible until it commits): an
-- event for yesterday that arrives during that run is then seen by the next one. (A manual backfill
-- of a never computed day is not covered: events for that day arriving during it are not marked.)

create table analytics.etl_late_day_marks (
  mark_id bigint generated always as identity,
  metric_date date not null,
  marked_at timestamptz not null default now(),
  constraint etl_late_day_marks_pkey primary key (mark_id)
);
create index etl_late_day_marks_metric_date_idx on analytics.etl_late_day_marks (metric_date);
comment on table analytics.etl_late_day_marks is
  'Append-only marks of UTC days that received events after (or while) they were computed; analytics.run_nightly_etl recomputes the days and deletes the marks it read.';
comment on column analytics.etl_late_day_marks.mark_id is 'Identity of the mark; the nightly run deletes marks by id.';
comment on column analytics.etl_late_day_marks.metric_date is 'The day to recompute.';
comment on column analytics.etl_late_day_marks.marked_at is 'When the mark was added (the marking transaction''s start).';
comment on index analytics.etl_late_day_marks_metric_date_idx is 'The marks of one day.';
alter table analytics.etl_late_day_marks enable row level security;
revoke all on analytics.etl_late_day_marks from public, anon, authenticated;
grant select, insert, delete on analytics.etl_late_day_marks to service_role;

insert into analytics.etl_late_day_marks (metric_date, marked_at)
select p.metric_date, p.marked_at from analytics.etl_pending_days p order by p.metric_date;
drop table analytics.etl_pending_days;

create view analytics.etl_pending_days
with (security_invoker = true)
as
select m.metric_date, min(m.marked_at) as marked_at
from analytics.etl_late_day_marks m
group by m.metric_date;
comment on view analytics.etl_pending_days is
  'UTC days waiting for recomputation by the next nightly run (analytics.etl_late_day_marks, one row a day).';
comment on column analytics.etl_pending_days.metric_date is 'The day to recompute.';
comment on column analytics.etl_pending_days.marked_at is 'When the first of its marks was added.';
revoke all on analytics.etl_pending_days from public, anon, authenticated;
grant select on analytics.etl_pending_days to service_role;

create or replace function analytics.mark_late_event_days()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into analytics.etl_late_day_marks (metric_date)
  select d.day
  from (select distinct (n.event_timestamp at time zone 'UTC')::date as day from new_events n) d
  where d.day = (now() at time zone 'UTC')::date - 1
     or exists (
       select 1 from public.etl_job_runs r
       where r.target_date = d.day and r.status = 'succeeded' and r.job_name <> 'pipeline');
  return null;
end;
$$;
comment on function analytics.mark_late_event_days() is
  'AFTER INSERT statement trigger on events_raw: appends a mark (analytics.etl_late_day_marks) for each already computed day, and UTC yesterday, that received new events.';
revoke all on function analytics.mark_late_event_days() from public, anon, authenticated;

-- The nightly entry point of 20261125001600, consuming the marks it read.
create or replace function analytics.run_nightly_etl(p_today date default null)
returns table (metric_date date, status text)
language plpgsql
set search_path = ''
as $$
declare
  v_today date := coalesce(p_today, (now() at time zone 'UTC')::date);
  v_day date;
  v_marks bigint[];
begin
  select coalesce(array_agg(m.mark_id), '{}') into v_marks
  from analytics.etl_late_day_marks m where m.metric_date < v_today;
  for v_day in
    select d.day from (
      select v_today - 1 as day
      union
      select m.metric_date from analytics.etl_late_day_marks m where m.mark_id = any(v_marks)
    ) d order by d.day
  loop
    metric_date := v_day;
    status := analytics.run_daily_etl_pipeline(v_day);
    if status = 'succeeded' then
      delete from analytics.etl_late_day_marks m where m.metric_date = v_day and m.mark_id = any(v_marks);
    elsif not exists (select 1 from analytics.etl_late_day_marks m where m.metric_date = v_day) then
      insert into analytics.etl_late_day_marks (metric_date) values (v_day);
    end if;
    return next;
  end loop;
end;
$$;
comment on function analytics.run_nightly_etl(date) is
  'Nightly ETL: runs run_daily_etl_pipeline for yesterday (UTC) and every day marked in analytics.etl_late_day_marks before the run started; deletes the marks of each day that succeeded (a failed day stays marked); returns each day''s status. p_today overrides today for tests and catch-up runs.';
revoke all on function analytics.run_nightly_etl(date) from public, anon, authenticated;
grant execute on function analytics.run_nightly_etl(date) to service_role;

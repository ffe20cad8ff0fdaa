-- Per-caller quota of the ingest function (docs/design.md §12): requests and events per fixed one-minute
-- window per bucket, kept in Postgres so the limits hold across every edge-function isolate. Events
-- count as well as requests: a caller that sends 1000-event batches must not store 1000 times its
-- request limit. Backends get a bucket per key ('service:<key id>', _shared/rate-limit.ts).
-- Unlogged: every ingest request writes it. Logged, each quota transaction waited at commit for its
-- WAL flush while it held the bucket's row lock, so concurrent requests queued behind each other's
-- flushes; a transaction that wrote only to unlogged tables commits without waiting for a flush.
-- What this gives up: after a crash Postgres empties the table, so every caller's current minute
-- starts over (at most one extra minute of quota, once).
-- A user token's bucket carries the user id inside a text key ('user:<uuid>'); the generated
-- user_id column exposes it as a uuid so that GDPR erasure (analytics.user_data_columns) finds it.
create unlogged table analytics.ingest_rate_limits (
  bucket text not null,
  window_start timestamptz not null,
  request_count integer not null,
  user_id uuid generated always as (
    case when bucket like 'user:%' then substr(bucket, 6)::uuid end) stored,
  event_count integer not null default 0,
  constraint ingest_rate_limits_pkey primary key (bucket)
);
comment on table analytics.ingest_rate_limits is
  'Fixed-window request and event counters of the ingest function, one row per caller bucket. Unlogged: emptied after a crash, which only restarts the current minute. Rows idle for an hour are purged (analytics.purge_ingest_quota).';
comment on column analytics.ingest_rate_limits.bucket is
  'Caller bucket: ''user:<sub>'' for user tokens, ''service:<key id>'' for each backend key (its name, or a fingerprint of a service_role token; never the key).';
comment on column analytics.ingest_rate_limits.window_start is 'Start of the current one-minute window (UTC, truncated to the minute).';
comment on column analytics.ingest_rate_limits.request_count is 'Requests counted in the current window.';
comment on column analytics.ingest_rate_limits.user_id is
  'The user of a user:<uuid> bucket (null for the service bucket); lets erasure find the row.';
comment on column analytics.ingest_rate_limits.event_count is 'Events counted in the current window (accepted batches only).';

alter table analytics.ingest_rate_limits enable row level security;
revoke all on analytics.ingest_rate_limits from public, anon, authenticated;
grant select, insert, update, delete on analytics.ingest_rate_limits to service_role;

-- Counts p_requests requests and p_events events for p_bucket in the current minute, only when
-- both counts stay within their limits; otherwise counts nothing (a batch is refused whole, never
-- half counted) and returns allowed = false with null counts. One statement, so concurrent
-- isolates never lose a count; the row lock lasts only for it. A transaction that started in an
-- earlier minute than the row's window (a race at the boundary) counts into the newer window
-- instead of resetting it. retry_after_s: seconds until the current window ends.
-- PL/pgSQL, not SQL: a SQL function with a SET clause is parsed and planned again on every call,
-- while PL/pgSQL keeps the statement's plan for the session (every valid ingest request calls this once).
create or replace function analytics.consume_ingest_quota(
  p_bucket text, p_requests integer, p_events integer, p_request_limit integer, p_event_limit integer)
returns table (allowed boolean, request_count integer, event_count integer, retry_after_s integer)
language plpgsql
set search_path = ''
as $$
#variable_conflict use_column
begin
  return query
  with counted as (
    insert into analytics.ingest_rate_limits as r (bucket, window_start, request_count, event_count)
    select p_bucket, date_trunc('minute', now()), p_requests, p_events
    where p_requests <= p_request_limit and p_events <= p_event_limit
    on conflict (bucket) do update
      set window_start = greatest(r.window_start, excluded.window_start),
          request_count = case when r.window_start >= excluded.window_start
            then r.request_count + excluded.request_count else excluded.request_count end,
          event_count = case when r.window_start >= excluded.window_start
            then r.event_count + excluded.event_count else excluded.event_count end
      where r.window_start < excluded.window_start
         or (r.request_count + excluded.request_count <= p_request_limit
             and r.event_count + excluded.event_count <= p_event_limit)
    returning r.request_count, r.event_count
  )
  select c.request_count is not null, c.request_count, c.event_count,
    greatest(1, ceil(extract(epoch from (date_trunc('minute', now()) + interval '1 minute' - now()))))::integer
  from (select) as one
  left join counted as c on true;
end;
$$;
comment on function analytics.consume_ingest_quota(text, integer, integer, integer, integer) is
  'Counts p_requests ingest requests and p_events events for a caller bucket in the current minute when both stay within their limits (else counts nothing); returns whether it did, the counts, and the seconds until the window resets.';
revoke all on function analytics.consume_ingest_quota(text, integer, integer, integer, integer) from public, anon, authenticated;
grant execute on function analytics.consume_ingest_quota(text, integer, integer, integer, integer) to service_role;

-- Quota rows outlive their minute: one per caller ever seen, each holding a user id for user
-- tokens. Purged hourly by their own pg_cron job (migration ..._cron_jobs.sql): a delete over a
-- table of recently active callers only; a concurrent request for a purged bucket starts a new row.
create or replace function analytics.purge_ingest_quota(p_now timestamptz default now())
returns integer
language sql
set search_path = ''
as $$
  with purged as (
    delete from analytics.ingest_rate_limits as r
    where r.window_start < p_now - interval '1 hour'
    returning 1
  )
  select count(*)::integer from purged
$$;
comment on function analytics.purge_ingest_quota(timestamptz) is
  'Deletes ingest quota rows whose window started more than an hour before p_now (pg_cron, hourly). Returns how many.';
revoke all on function analytics.purge_ingest_quota(timestamptz) from public, anon, authenticated;
grant execute on function analytics.purge_ingest_quota(timestamptz) to service_role;

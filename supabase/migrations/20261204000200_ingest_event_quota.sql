-- Ingest quotas count events as well as requests (DESIGN.md §12): a caller that sends 1000-event
-- batches must not store 1000 times its request limit. Each bucket's current minute gets an event
-- count beside its request count, and one statement counts both against both limits. Backends
-- get a bucket per key ('service:<key id>', _shared/rate-limit.ts) instead of one shared bucket.
alter table analytics.ingest_rate_limits add column event_count integer not null default 0;
comment on column analytics.ingest_rate_limits.event_count is 'Events counted in the current window (accepted batches only).';
comment on column analytics.ingest_rate_limits.bucket is
  'Caller bucket: ''user:<sub>'' for user tokens, ''service:<key id>'' for each backend key (its name, or a fingerprint of a service_role token; never the key).';
comment on table analytics.ingest_rate_limits is
  'Fixed-window request and event counters of the ingest function, one row per caller bucket. Unlogged: emptied after a crash, which only restarts the current minute. Rows idle for an hour are purged (analytics.purge_ingest_quota).';

-- Counts p_requests requests and p_events events for p_bucket in the current minute, only when
-- both counts stay within their limits; otherwise counts nothing (a batch is refused whole, never
-- half counted) and returns allowed = false with null counts. One statement, so concurrent
-- isolates never lose a count; the row lock lasts only for it. A transaction that started in an
-- earlier minute than the row's window (a race at the boundary) counts into the newer window
-- instead of resetting it. retry_after_s: seconds until the current window ends.
create or replace function analytics.consume_ingest_quota(
  p_bucket text, p_requests integer, p_events integer, p_request_limit integer, p_event_limit integer)
returns table (allowed boolean, request_count integer, event_count integer, retry_after_s integer)
language sql
set search_path = ''
as $$
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
  left join counted as c on true
$$;
comment on function analytics.consume_ingest_quota(text, integer, integer, integer, integer) is
  'Counts p_requests ingest requests and p_events events for a caller bucket in the current minute when both stay within their limits (else counts nothing); returns whether it did, the counts, and the seconds until the window resets.';
revoke all on function analytics.consume_ingest_quota(text, integer, integer, integer, integer) from public, anon, authenticated;
grant execute on function analytics.consume_ingest_quota(text, integer, integer, integer, integer) to service_role;

-- The request-only form, for functions deployed before this migration (the database is migrated
-- before the functions are redeployed); drop it once no deployed function calls it. A refused
-- request is no longer counted, and request_count is null when refused.
create or replace function analytics.consume_ingest_quota(p_bucket text, p_limit integer)
returns table (allowed boolean, request_count integer, retry_after_s integer)
language sql
set search_path = ''
as $$
  select q.allowed, q.request_count, q.retry_after_s
  from analytics.consume_ingest_quota(p_bucket, 1, 0, p_limit, 2147483647) as q
$$;
comment on function analytics.consume_ingest_quota(text, integer) is
  'Request-only quota of functions deployed before events were counted: counts one request for a caller bucket in the current minute when within p_limit; returns whether it did and the seconds until the window resets.';
revoke all on function analytics.consume_ingest_quota(text, integer) from public, anon, authenticated;
grant execute on function analytics.consume_ingest_quota(text, integer) to service_role;

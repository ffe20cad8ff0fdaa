-- Per-caller request quota of the ingest function: a fixed one-minute window per bucket, kept
-- in Postgres so the limit holds across every edge-function isolate.
-- Unlogged: every ingest request writes it, and all backends share one bucket ('service'). Logged,
-- each quota transaction waited at commit for its WAL flush while it held the bucket's row lock,
-- so concurrent requests queued behind each other's flushes; a transaction that wrote only to
-- unlogged tables commits without waiting for a flush. What this gives up: after a crash Postgres
-- empties the table, so every caller's current minute starts over (at most one extra minute of
-- quota, once).
-- A user token's bucket carries the user id inside a text key ('user:<uuid>'); the generated
-- user_id column exposes it as a uuid so that GDPR erasure (analytics.user_data_columns) finds it.
create unlogged table analytics.ingest_rate_limits (
  bucket text not null,
  window_start timestamptz not null,
  request_count integer not null,
  user_id uuid generated always as (
    case when bucket like 'user:%' then substr(bucket, 6)::uuid end) stored,
  constraint ingest_rate_limits_pkey primary key (bucket)
);
comment on table analytics.ingest_rate_limits is
  'Fixed-window request counters of the ingest function, one row per caller bucket (service, or user:<uuid>). Unlogged: emptied after a crash, which only restarts the current minute.';
comment on column analytics.ingest_rate_limits.bucket is 'Caller bucket: ''service'' for backends, ''user:<sub>'' for user tokens.';
comment on column analytics.ingest_rate_limits.window_start is 'Start of the current one-minute window (UTC, truncated to the minute).';
comment on column analytics.ingest_rate_limits.request_count is 'Requests counted in the current window.';
comment on column analytics.ingest_rate_limits.user_id is
  'The user of a user:<uuid> bucket (null for the service bucket); lets erasure find the row.';

alter table analytics.ingest_rate_limits enable row level security;
revoke all on analytics.ingest_rate_limits from public, anon, authenticated;
grant select, insert, update, delete on analytics.ingest_rate_limits to service_role;

-- Counts one request for p_bucket and says whether it is within p_limit requests per minute.
-- One statement (insert ... on conflict do update ... returning), so concurrent isolates never
-- lose a count. retry_after_s is the number of seconds until the window resets.
create or replace function analytics.consume_ingest_quota(p_bucket text, p_limit integer)
returns table (allowed boolean, request_count integer, retry_after_s integer)
language sql
set search_path = ''
as $$
  insert into analytics.ingest_rate_limits as r (bucket, window_start, request_count)
  values (p_bucket, date_trunc('minute', now()), 1)
  on conflict (bucket) do update
    set window_start = excluded.window_start,
        request_count = case when r.window_start = excluded.window_start then r.request_count + 1 else 1 end
  returning
    r.request_count <= p_limit,
    r.request_count,
    greatest(1, ceil(extract(epoch from (r.window_start + interval '1 minute' - now()))))::integer;
$$;
comment on function analytics.consume_ingest_quota(text, integer) is
  'Counts one ingest request for a caller bucket in the current minute; returns whether it is within p_limit and the seconds until the window resets.';
revoke all on function analytics.consume_ingest_quota(text, integer) from public, anon, authenticated;
grant execute on function analytics.consume_ingest_quota(text, integer) to service_role;

-- Quota rows outlive their minute: one per caller ever seen, each holding a user id for user
-- tokens. Purged hourly by their own pg_cron job (a delete over a table of recently active callers
-- only; a concurrent request for a purged bucket just starts a new row).
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

select cron.schedule('analytics-purge-ingest-quota', '20 * * * *', 'select analytics.purge_ingest_quota()');

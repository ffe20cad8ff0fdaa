-- Time-to-X and rejection loops need the earlier lifecycle events of each order / horoscope seen on
-- the day, within a bounded look-back. Events older than that are ignored.
create or replace function analytics.etl_lookback()
returns interval
language sql
immutable
set search_path = ''
as $$ select interval '30 days' $$;
comment on function analytics.etl_lookback() is
  'How far back the ETL looks for earlier events of an order or horoscope (time-to-X, rejection history). Older events are ignored.';
revoke all on function analytics.etl_lookback() from public, anon, authenticated;
grant execute on function analytics.etl_lookback() to service_role;

-- The look-back reads through this index. Partial, so ingestion of the other domains pays nothing for it.
create index events_raw_lifecycle_entity_idx on public.events_raw (entity_id, event_timestamp)
  where event_domain in ('orders', 'content');
comment on index public.events_raw_lifecycle_entity_idx is
  'ETL look-back: earlier order/horoscope lifecycle events of an entity (time-to-X, rejection loops).';

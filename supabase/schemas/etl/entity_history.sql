-- Time-to-X and rejection loops read an order's or horoscope's whole stored history before the day
-- (no fixed look-back: docs/design.md §10.3), through this index: the earlier events of one entity.
-- Partial, so ingestion of the other domains pays nothing for it. Payments, calls and notifications
-- have their own (events_raw_share_entity_idx, etl/shares.sql).
create index events_raw_lifecycle_entity_idx on public.events_raw (entity_id, event_timestamp)
  where event_domain in ('orders', 'content');
comment on index public.events_raw_lifecycle_entity_idx is
  'ETL: an order''s or horoscope''s stored lifecycle events before a day (time-to-X, rejection loops).';

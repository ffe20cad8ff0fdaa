-- Erasure and subject-access export find a user's events by index instead of reading every
-- partition in full. Since erasures hold ingestion off while they delete the user's events
-- (analytics.erasure_gate), their time there is time ingestion waits: a sequential scan of 90 days
-- of events would stall it for minutes. Partial indexes: events without a user (system events) and
-- events that name no reader are not indexed. B-tree rather than hash: both cost ingestion about the
-- same, but a hash index keeps all of a key's entries in its bucket's overflow chain, which each
-- insert walks, so users with many events make it slower; a b-tree deduplicates them.
-- A plain CREATE INDEX: CONCURRENTLY is refused on a partitioned table and inside a migration's
-- transaction. It locks events_raw against writes while it builds: on a project that already holds
-- events, build each partition's index concurrently first (then this statement only attaches them).

create index events_raw_user_id_idx on public.events_raw (user_id) where user_id is not null;
comment on index public.events_raw_user_id_idx is
  'A user''s events, for erasure and subject-access export (analytics.erase_user, analytics.export_user).';

create index events_raw_reader_id_idx on public.events_raw ((metadata ->> 'reader_id'))
  where (metadata ->> 'reader_id') is not null;
comment on index public.events_raw_reader_id_idx is
  'Events naming a user as the reader (metadata.reader_id), for erasure and subject-access export.';

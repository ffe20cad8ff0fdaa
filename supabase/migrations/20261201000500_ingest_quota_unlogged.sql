-- The ingest quota counters are written by every ingest request and are worth no WAL flush.
-- Logged, each quota transaction waited at commit for its WAL to reach the disk while it still held
-- its bucket's row lock, and all backends share one bucket ('service'): concurrent requests queued
-- behind each other's flushes. A transaction that wrote only to unlogged tables commits without
-- waiting for a flush. What this gives up: after a crash Postgres empties an unlogged table, so
-- every caller's current minute starts over (at most one extra minute of quota, once).
alter table analytics.ingest_rate_limits set unlogged;
comment on table analytics.ingest_rate_limits is
  'Fixed-window request counters of the ingest function, one row per caller bucket (service, or user:<uuid>). Unlogged: emptied after a crash, which only restarts the current minute.';

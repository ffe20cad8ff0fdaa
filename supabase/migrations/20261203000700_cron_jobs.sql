-- pg_cron schedules (UTC). cron.schedule(name, ...) updates a job of the same name, so running this
-- again never duplicates jobs. The commands only call analytics.* functions (supabase/schemas).
select cron.schedule('analytics-nightly-etl', '0 2 * * *', 'select analytics.run_nightly_etl()');
select cron.schedule('analytics-create-partitions', '0 1 * * 1', 'select analytics.create_upcoming_events_partitions(2)');
select cron.schedule('analytics-purge-expired', '30 3 * * *', 'select analytics.purge_expired_data()');
select cron.schedule('analytics-purge-ingest-quota', '20 * * * *', 'select analytics.purge_ingest_quota()');

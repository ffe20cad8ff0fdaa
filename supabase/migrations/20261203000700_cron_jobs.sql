-- pg_cron schedules (UTC). cron.schedule(name, ...) updates a job of the same name, so running this
-- again never duplicates jobs. The commands only call analytics.* functions (supabase/schemas).
-- The nightly ETL: pg_cron runs in UTC, so an hourly job starts the run once per local day of the
-- reporting time zone, at the first hour at or after 02:00 local (DST-safe: a skipped or repeated
-- hour neither skips nor repeats the run; analytics.nightly_run_due). A procedure, so that the run
-- commits after each day (visible progress, analytics.etl_nightly_runs).
select cron.schedule('analytics-nightly-etl', '0 * * * *', 'call analytics.run_scheduled_nightly_etl()');
select cron.schedule('analytics-create-partitions', '0 1 * * 1', 'select analytics.create_upcoming_events_partitions(2)');
select cron.schedule('analytics-purge-expired', '30 3 * * *', 'select analytics.purge_expired_data()');
select cron.schedule('analytics-purge-ingest-quota', '20 * * * *', 'select analytics.purge_ingest_quota()');
-- Health alerts: evaluate health, write an outbox row on a change, deliver pending alerts.
select cron.schedule('analytics-health-alerts', '*/5 * * * *', 'select analytics.run_health_alerts()');
select cron.schedule('analytics-purge-expired-state', '40 3 * * *', 'select analytics.purge_expired_state()');

-- The first monthly partitions of public.events_raw: the current month and the next two. pg_cron
-- adds the following ones every week (20261203000700_cron_jobs.sql).
select analytics.create_upcoming_events_partitions(2);

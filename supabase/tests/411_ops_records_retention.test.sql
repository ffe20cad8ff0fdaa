-- Operational records of health alerts and nightly runs age out with purge_expired_state: alerts
-- after 90 days, nightly runs after a year (a run still marked running stays: its end is news).
begin;
select plan(3);

delete from analytics.health_alerts;
delete from analytics.etl_nightly_runs;
insert into analytics.health_alerts (dedupe_key, state, payload, created_at) values
  ('old', 'unhealthy', '{}', '2031-03-01 12:00+00'::timestamptz - interval '90 days 1 second'),
  ('limit', 'healthy', '{}', '2031-03-01 12:00+00'::timestamptz - interval '90 days');
insert into analytics.etl_nightly_runs (local_today, started_at, status) values
  ('2030-02-28', '2030-03-01 11:59:59+00', 'succeeded'), ('2030-03-01', '2030-03-01 12:00+00', 'succeeded'),
  ('2029-01-01', '2029-01-01 02:00+00', 'running');

select is(analytics.purge_expired_state('2031-03-01 12:00+00') - 'user_first_seen' - 'etl_activity_changes',
  '{"health_alerts": 1, "etl_nightly_runs": 1}'::jsonb, 'one alert and one nightly run are past their period');
select is(array(select dedupe_key from analytics.health_alerts), array['limit'], 'alerts: 90 days, to the second');
select is(array(select local_today::text from analytics.etl_nightly_runs order by local_today), array['2029-01-01', '2030-03-01'],
  'nightly runs: a year, to the second; a run still marked running stays');

select * from finish();
rollback;

-- Retention of every user-level table (analytics.user_data_columns), to the day: for each, the row
-- one day (hour, for quota rows) past its period goes and the row at the limit stays, after the
-- three purges pg_cron runs. A user-level table added later fails the first test until it is here.
-- Rolled back: the purges at a date in the future drop and delete only inside this transaction.
begin;
select plan(11);

select set_eq(
  $$ select table_schema || '.' || table_name from analytics.user_data_columns $$,
  array['public.events_raw', 'analytics.user_daily_activity', 'analytics.user_first_seen', 'analytics.ingest_rate_limits',
        'public.metrics_daily_fulfillment', 'analytics.etl_opt_out_links', 'analytics.etl_activity_changes'],
  'the user-level tables are the ones whose retention this file checks');

-- p_now 2031-03-01 12:00 UTC: raw events keep 90 days (from 2030-12-01 00:00 UTC), user activity
-- and metrics 2 years (from 2029-03-01), quota rows an hour, ETL links of days whose events are kept.
create temp table u (name text primary key, id uuid);
insert into u values ('kept', '00000000-0000-4000-8000-000000041001'), ('lapsed', '00000000-0000-4000-8000-000000041002'),
  ('new', '00000000-0000-4000-8000-000000041003'), ('old_but_active', '00000000-0000-4000-8000-000000041004');

insert into public.events_raw (event_domain, event_type, event_timestamp, user_id, entity_type, entity_id) values
  ('orders', 'order_created', '2030-11-30 23:59:59+00', (select id from u where name = 'lapsed'), 'order', 'ret-410-a'),
  ('orders', 'order_created', '2030-12-01 00:00:00+00', (select id from u where name = 'kept'), 'order', 'ret-410-b');
insert into analytics.user_daily_activity (user_id, activity_date) values
  ((select id from u where name = 'lapsed'), '2029-02-28'), ((select id from u where name = 'kept'), '2029-03-01'),
  ((select id from u where name = 'old_but_active'), '2031-02-27');
insert into analytics.user_first_seen (user_id, first_seen_date, last_seen_date) values
  ((select id from u where name = 'lapsed'), '2028-05-01', '2029-02-28'), ((select id from u where name = 'kept'), '2028-05-01', '2029-03-01'),
  ((select id from u where name = 'new'), '2029-03-01', '2029-03-01'), ((select id from u where name = 'old_but_active'), '2020-01-01', '2031-02-27');
insert into analytics.etl_activity_changes (user_id, activity_date) values
  ((select id from u where name = 'lapsed'), '2029-02-28'), ((select id from u where name = 'kept'), '2029-03-01');
insert into analytics.ingest_rate_limits (bucket, window_start, request_count) values
  ('user:' || (select id from u where name = 'lapsed'), '2031-03-01 10:59:59+00', 1),
  ('user:' || (select id from u where name = 'kept'), '2031-03-01 11:00:00+00', 1);
insert into public.metrics_daily_fulfillment (metric_date, service_code, reader_id) values
  ('2029-02-28', 'ret-410', (select id from u where name = 'lapsed')), ('2029-03-01', 'ret-410', (select id from u where name = 'kept'));
insert into analytics.etl_opt_out_links (user_id, target_day, source_day) values
  ((select id from u where name = 'lapsed'), '2030-12-01', '2030-12-05'), ((select id from u where name = 'kept'), '2030-12-02', '2030-12-05');

select lives_ok($$ select analytics.purge_expired_data('2031-03-01 12:00+00') $$, 'purge_expired_data runs');
select lives_ok($$ select analytics.purge_ingest_quota('2031-03-01 12:00+00') $$, 'purge_ingest_quota runs');
select lives_ok($$ select analytics.purge_expired_state('2031-03-01 12:00+00') $$, 'purge_expired_state runs');

create function pg_temp.left_in(p_table text, p_column text) returns text[] language plpgsql as $$
declare v text[];
begin
  execute format('select array_agg(distinct u.name order by u.name) from %s t join u on u.id = t.%I', p_table, p_column) into v;
  return v;
end $$;

select is(pg_temp.left_in('public.events_raw', 'user_id'), array['kept'], 'events_raw: 90 days, to the second of the UTC day');
select is(pg_temp.left_in('analytics.user_daily_activity', 'user_id'), array['kept', 'old_but_active'], 'user_daily_activity: 2 years, to the day');
select is(pg_temp.left_in('analytics.user_first_seen', 'user_id'), array['kept', 'new', 'old_but_active'],
  'user_first_seen: kept while the user was active in the last 2 years (first seen long ago or not), gone with the last activity');
select is(pg_temp.left_in('analytics.etl_activity_changes', 'user_id'), array['kept'], 'etl_activity_changes: 2 years, to the day');
select is(pg_temp.left_in('analytics.ingest_rate_limits', 'user_id'), array['kept'], 'ingest_rate_limits: an hour, to the second');
select is(pg_temp.left_in('public.metrics_daily_fulfillment', 'reader_id'), array['kept'], 'metrics_daily_fulfillment: 2 years, to the day');
select is(pg_temp.left_in('analytics.etl_opt_out_links', 'user_id'), array['kept'],
  'etl_opt_out_links: while the target day''s events are kept (its first whole day within raw retention on)');

select * from finish();
rollback;

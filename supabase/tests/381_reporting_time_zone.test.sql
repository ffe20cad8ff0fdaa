-- analytics.set_reporting_time_zone (DESIGN.md §10.1): an unknown name is a clear error and changes
-- nothing; a known one (any case) is stored as the database spells it and asks the next nightly run
-- to recompute every day within raw retention; setting the same zone again asks for nothing.
begin;
select plan(11);

select is(analytics.reporting_time_zone(), 'UTC', 'the default zone is UTC');
delete from analytics.etl_recompute_requests;

select throws_ok($$ select analytics.set_reporting_time_zone('Mars/Olympus_Mons') $$, '22023',
  'unknown time zone ''Mars/Olympus_Mons'': use an IANA name such as Asia/Riyadh, Africa/Cairo or UTC',
  'an unknown zone is refused with a clear message');
select throws_ok($$ select analytics.set_reporting_time_zone('+03') $$, '22023', null, 'a POSIX offset is not an IANA name');
select throws_ok($$ select analytics.set_reporting_time_zone('CEST') $$, '22023', null, 'an abbreviation is not an IANA name');
select throws_ok($$ select analytics.set_reporting_time_zone(null) $$, '22023', null, 'null is refused');
select is(analytics.reporting_time_zone(), 'UTC', 'nothing changed after the refusals');
select is((select count(*)::int from analytics.etl_recompute_requests), 0, 'and nothing was asked for');

select is(analytics.set_reporting_time_zone('asia/riyadh') ->> 'time_zone', 'Asia/Riyadh', 'a known zone in any case is accepted');
select is(analytics.reporting_time_zone(), 'Asia/Riyadh', 'and stored as the database spells it');
select is(
  (select array[min(metric_date), max(metric_date)] from analytics.etl_recompute_requests where reason = 'time_zone'),
  array[analytics.raw_retention_first_day(), analytics.reporting_today() - 1],
  'every local day within raw retention, up to yesterday, is asked for');
select is((analytics.set_reporting_time_zone('Asia/Riyadh') ->> 'days_to_recompute')::int, 0,
  'setting the same zone again asks for nothing');

select * from finish();
rollback;

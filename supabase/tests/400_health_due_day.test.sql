-- Health's "latest due day", to the minute: a day is due at the next day's nightly run time plus
-- the grace (analytics.ops_settings); before that, health expects the day before.
begin;
select plan(9);

update analytics.ops_settings set nightly_run_at = '02:00', nightly_grace = '2 hours';
select is(analytics.etl_day_due_at('2031-03-01'), '2031-03-02 04:00+00'::timestamptz, 'a day is due at 02:00 the next day plus 2 hours');
select is(analytics.latest_due_etl_day('2031-03-02 00:00+00'), '2031-02-28'::date, 'at midnight yesterday is not due: the day before is');
select is(analytics.latest_due_etl_day('2031-03-02 03:59:59+00'), '2031-02-28'::date, 'nor a second before the grace ends');
select is(analytics.latest_due_etl_day('2031-03-02 04:00+00'), '2031-03-01'::date, 'at run time plus grace yesterday is due');

update analytics.ops_settings set nightly_grace = '0';
select is(analytics.latest_due_etl_day('2031-03-02 02:00+00'), '2031-03-01'::date, 'without grace, from the run time on');

update analytics.ops_settings set nightly_run_at = '23:30', nightly_grace = '20 hours';
select is(analytics.etl_day_due_at('2031-03-01'), '2031-03-03 19:30+00'::timestamptz, 'a grace may carry the due time into the day after');
select is(analytics.latest_due_etl_day('2031-03-03 12:00+00'), '2031-02-28'::date, 'and health then looks two days back');

select throws_ok($$ update analytics.ops_settings set nightly_grace = '21 hours' $$, '23514', null, 'the grace is at most 20 hours');
select throws_ok($$ update analytics.ops_settings set alert_webhook_url = 'ftp://x' $$, '23514', null, 'the webhook is an http(s) URL');

select * from finish();
rollback;

-- Health alert delivery in SQL: backoff, giving up after 10 attempts, order kept, and the pg_net
-- path against a stand-in for pg_net's API (net.http_post, net._http_response: the extension is
-- not packaged for the local stack; hosted Supabase has it).
begin;
select plan(14);

delete from analytics.health_alerts;
update analytics.ops_settings set alert_webhook_url = 'https://hooks.example.test/T/B/x', alerts_silenced_until = null;

select is(array(select analytics.health_alert_retry_delay(n) from generate_series(1, 8) as n),
  array['1 minute', '2 minutes', '4 minutes', '8 minutes', '16 minutes', '32 minutes', '1 hour', '1 hour']::interval[],
  'retries wait 1, 2, 4, ... minutes, at most an hour');

insert into analytics.health_alerts (dedupe_key, state, payload) values ('a', 'unhealthy', '{"text": "a"}'), ('b', 'healthy', '{"text": "b"}');
select is((select count(*)::int from analytics.claim_health_alerts(1)), 1, 'a claim returns one alert when asked for one');
select is((select count(*)::int from analytics.claim_health_alerts(10)), 0, 'the next waits behind the leased first one: order is kept');
select is((select status from analytics.record_health_alert_delivery((select min(alert_id) from analytics.health_alerts), false, 'HTTP 502')),
  'pending', 'a failed attempt stays pending');
update analytics.health_alerts set attempts = 9, next_attempt_at = now() where dedupe_key = 'a';
select is((select url from analytics.claim_health_alerts(1)), 'https://hooks.example.test/T/B/x', 'the claim carries the webhook URL');
select is((select status from analytics.record_health_alert_delivery((select min(alert_id) from analytics.health_alerts), false, 'HTTP 502')),
  'failed', 'after the 10th failed attempt it is given up');
select is((select alert_id from analytics.claim_health_alerts(10)), (select max(alert_id) from analytics.health_alerts),
  'then the next one goes');

-- pg_net: without it, the cron path leaves delivery to `ops alerts deliver`.
select is(analytics.dispatch_health_alerts_pg_net(), '{"pg_net": false}'::jsonb, 'without pg_net the cron job sends nothing');

create schema net;
create table net._http_response (id bigint, status_code integer, error_msg text, timed_out boolean);
create table net.requests (id bigint generated always as identity, url text, body jsonb, headers jsonb, timeout_milliseconds integer);
create function net.http_post(url text, body jsonb default '{}', params jsonb default '{}', headers jsonb default '{}',
  timeout_milliseconds integer default 1000) returns bigint language sql
  as $$ insert into net.requests (url, body, headers, timeout_milliseconds) values (url, body, headers, timeout_milliseconds) returning id $$;

delete from analytics.health_alerts;
insert into analytics.health_alerts (dedupe_key, state, payload) values ('c', 'unhealthy', '{"text": "c"}');
select is(analytics.dispatch_health_alerts_pg_net(), '{"pg_net": true, "queued": 1, "settled": 0}'::jsonb, 'a due alert is queued with pg_net');
select is((select row(url, body, headers)::text from net.requests),
  row('https://hooks.example.test/T/B/x', '{"text": "c"}'::jsonb, '{"Content-Type": "application/json"}'::jsonb)::text,
  'as a JSON POST of the payload to the webhook');
select is(analytics.dispatch_health_alerts_pg_net(), '{"pg_net": true, "queued": 0, "settled": 0}'::jsonb,
  'while it is in flight nothing else happens');
insert into net._http_response values ((select max(id) from net.requests), 500, null, false);
select is(analytics.dispatch_health_alerts_pg_net() ->> 'settled', '1', 'a 500 response is settled as a failed attempt');
update analytics.health_alerts set next_attempt_at = now();
select analytics.dispatch_health_alerts_pg_net();
insert into net._http_response values ((select max(id) from net.requests), 200, null, false);
select is(analytics.dispatch_health_alerts_pg_net() ->> 'settled', '1', 'the retry''s 200 is settled');
select is((select row(status, attempts)::text from analytics.health_alerts), row('delivered', 2)::text, 'delivered on the second attempt');

select * from finish();
rollback;

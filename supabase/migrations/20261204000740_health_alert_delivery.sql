-- Delivering health alerts, in order, at least once per alert, with backoff after failures:
-- - hosted Supabase: pg_net from the pg_cron job (analytics.dispatch_health_alerts_pg_net);
-- - anywhere (the local stack has no pg_net): `npm run ops -- alerts deliver`, which claims alerts
--   with analytics.claim_health_alerts, posts them and reports with record_health_alert_delivery.
-- A claim leases the alert (next_attempt_at) so that two deliverers never post it at once.

-- 1, 2, 4, ... minutes after failed attempt n, at most an hour; 10 attempts in all.
create or replace function analytics.health_alert_retry_delay(p_attempts integer)
returns interval
language sql
immutable
set search_path = ''
as $$
  select least(interval '1 minute' * power(2, greatest(p_attempts, 1) - 1), interval '1 hour')
$$;
comment on function analytics.health_alert_retry_delay(integer) is
  'Backoff before the next delivery attempt after p_attempts failed ones: 1, 2, 4, ... minutes, at most 1 hour.';
revoke all on function analytics.health_alert_retry_delay(integer) from public, anon, authenticated;
grant execute on function analytics.health_alert_retry_delay(integer) to service_role;

-- Due alerts, oldest first, stopping at the first pending alert that is not due (order is kept).
-- Without a webhook, the due alerts are marked unsent instead.
create or replace function analytics.claim_health_alerts(p_limit integer default 10, p_lease interval default interval '2 minutes')
returns table (alert_id bigint, url text, payload jsonb, attempts integer)
language plpgsql
set search_path = ''
as $$
declare
  v_url text := analytics.health_alert_webhook_url();
  v_blocked bigint;
begin
  select min(a.alert_id) into v_blocked
  from analytics.health_alerts a
  where a.status = 'pending' and (a.next_attempt_at > now() or a.net_request_id is not null);

  if v_url is null then
    update analytics.health_alerts a
    set status = 'unsent', last_error = 'no webhook configured', last_attempt_at = now()
    where a.status = 'pending' and a.alert_id < coalesce(v_blocked, 9223372036854775807);
    return;
  end if;

  return query
  with claimed as (
    select a.alert_id from analytics.health_alerts a
    where a.status = 'pending' and a.alert_id < coalesce(v_blocked, 9223372036854775807)
    order by a.alert_id
    limit p_limit
    for update skip locked
  )
  update analytics.health_alerts a
  set attempts = a.attempts + 1, last_attempt_at = now(), next_attempt_at = now() + p_lease
  from claimed c
  where a.alert_id = c.alert_id
  returning a.alert_id, v_url, a.payload, a.attempts;
end;
$$;
comment on function analytics.claim_health_alerts(integer, interval) is
  'Claims the due pending health alerts in order (up to p_limit, leased for p_lease) and returns them with the webhook URL; marks them unsent when no webhook is configured. Report each outcome with analytics.record_health_alert_delivery.';
revoke all on function analytics.claim_health_alerts(integer, interval) from public, anon, authenticated;
grant execute on function analytics.claim_health_alerts(integer, interval) to service_role;

create or replace function analytics.record_health_alert_delivery(p_alert_id bigint, p_ok boolean, p_error text default null)
returns analytics.health_alerts
language sql
set search_path = ''
as $$
  update analytics.health_alerts a
  set status = case when p_ok then 'delivered' when a.attempts >= 10 then 'failed' else 'pending' end,
    delivered_at = case when p_ok then now() end,
    last_error = case when p_ok then null else left(coalesce(p_error, 'failed'), 500) end,
    next_attempt_at = case when p_ok then a.next_attempt_at else now() + analytics.health_alert_retry_delay(a.attempts) end,
    net_request_id = null
  where a.alert_id = p_alert_id and a.status = 'pending'
  returning a.*
$$;
comment on function analytics.record_health_alert_delivery(bigint, boolean, text) is
  'Records a delivery attempt: delivered on success; otherwise retried after analytics.health_alert_retry_delay, or failed after 10 attempts.';
revoke all on function analytics.record_health_alert_delivery(bigint, boolean, text) from public, anon, authenticated;
grant execute on function analytics.record_health_alert_delivery(bigint, boolean, text) to service_role;

-- pg_net (hosted Supabase): settles the requests of earlier runs from net._http_response, then
-- queues the due alerts (sent after this transaction commits). Dynamic SQL: pg_net may be absent.
create or replace function analytics.dispatch_health_alerts_pg_net()
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  v_responses regclass := to_regclass('net._http_response');
  v_alert record;
  v_status integer;
  v_error text;
  v_timed_out boolean;
  v_found integer;
  v_request bigint;
  v_settled integer := 0;
  v_queued integer := 0;
begin
  if v_responses is null or not exists (select 1 from pg_catalog.pg_proc p join pg_catalog.pg_namespace n on n.oid = p.pronamespace
                                         where n.nspname = 'net' and p.proname = 'http_post') then
    return jsonb_build_object('pg_net', false);
  end if;

  for v_alert in
    select a.alert_id, a.net_request_id, a.last_attempt_at from analytics.health_alerts a
    where a.status = 'pending' and a.net_request_id is not null
    order by a.alert_id for update skip locked
  loop
    execute format('select status_code, error_msg, timed_out from %s where id = $1', v_responses)
      into v_status, v_error, v_timed_out using v_alert.net_request_id;
    get diagnostics v_found = row_count;
    if v_found > 0 and v_status between 200 and 299 then
      perform analytics.record_health_alert_delivery(v_alert.alert_id, true);
    elsif v_found > 0 then
      perform analytics.record_health_alert_delivery(v_alert.alert_id, false,
        coalesce(v_error, case when v_timed_out then 'timed out' end, format('HTTP %s', v_status)));
    elsif v_alert.last_attempt_at < now() - interval '10 minutes' then
      perform analytics.record_health_alert_delivery(v_alert.alert_id, false, 'pg_net recorded no response');
    else
      continue;
    end if;
    v_settled := v_settled + 1;
  end loop;

  for v_alert in select * from analytics.claim_health_alerts(10, interval '10 minutes') loop
    execute format('select %I.http_post(url := $1, body := $2, headers := $3, timeout_milliseconds := 5000)',
                   (select c.relnamespace::regnamespace::text from pg_catalog.pg_class c where c.oid = v_responses))
      into v_request using v_alert.url, v_alert.payload, '{"Content-Type": "application/json"}'::jsonb;
    update analytics.health_alerts a set net_request_id = v_request where a.alert_id = v_alert.alert_id;
    v_queued := v_queued + 1;
  end loop;
  return jsonb_build_object('pg_net', true, 'settled', v_settled, 'queued', v_queued);
end;
$$;
comment on function analytics.dispatch_health_alerts_pg_net() is
  'Delivers health alerts with pg_net where it is installed: settles earlier requests (net._http_response), then queues the due alerts. Returns {"pg_net": false} without pg_net (deliver with `npm run ops -- alerts deliver`).';
revoke all on function analytics.dispatch_health_alerts_pg_net() from public, anon, authenticated;
grant execute on function analytics.dispatch_health_alerts_pg_net() to service_role;

-- The pg_cron job: abandoned ETL runs recorded as failed, health evaluated, alerts sent by pg_net.
create or replace function analytics.run_health_alerts()
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  v_abandoned integer := analytics.fail_abandoned_etl_runs();
  v_alert analytics.health_alerts := analytics.evaluate_health_alert();
begin
  return jsonb_build_object('abandoned_runs_failed', v_abandoned, 'alert', v_alert.state,
    'delivery', analytics.dispatch_health_alerts_pg_net());
end;
$$;
comment on function analytics.run_health_alerts() is
  'pg_cron, every 5 minutes: marks abandoned ETL runs failed, evaluates health for a state change (analytics.evaluate_health_alert) and delivers alerts by pg_net where installed.';
revoke all on function analytics.run_health_alerts() from public, anon, authenticated;
grant execute on function analytics.run_health_alerts() to service_role;

select cron.schedule('analytics-health-alerts', '*/5 * * * *', 'select analytics.run_health_alerts()');

-- Health alerts: the last known health state, and an outbox row for each change of it (healthy →
-- unhealthy and back), written once per change (dedupe_key) and delivered to a Slack-compatible
-- webhook by pg_net (analytics.dispatch_health_alerts_pg_net) or by `npm run ops -- alerts deliver`.

create table analytics.health_alert_state (
  singleton boolean primary key default true,
  healthy boolean not null,
  reasons text[] not null default '{}',
  changed_at timestamptz not null,
  evaluated_at timestamptz not null,
  constraint health_alert_state_singleton check (singleton)
);

comment on table analytics.health_alert_state is 'The health state alerts last saw (one row); an evaluation that finds another state writes an alert.';

comment on column analytics.health_alert_state.singleton is 'Always true: the table holds one row.';

comment on column analytics.health_alert_state.healthy is 'Whether the pipeline was healthy at the last evaluation.';

comment on column analytics.health_alert_state.reasons is 'The reasons health gave when the state last changed.';

comment on column analytics.health_alert_state.changed_at is 'When the state last changed.';

comment on column analytics.health_alert_state.evaluated_at is 'When health was last evaluated for alerts.';

alter table analytics.health_alert_state enable row level security;

revoke all on analytics.health_alert_state from public, anon, authenticated;

grant select on analytics.health_alert_state to service_role;

create table analytics.health_alerts (
  alert_id bigint generated always as identity,
  dedupe_key text not null,
  state text not null,
  reasons text[] not null default '{}',
  payload jsonb not null,
  created_at timestamptz not null default now(),
  status text not null default 'pending',
  attempts integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  last_attempt_at timestamptz,
  last_error text,
  net_request_id bigint,
  delivered_at timestamptz,
  constraint health_alerts_pkey primary key (alert_id),
  constraint health_alerts_dedupe_key unique (dedupe_key),
  constraint health_alerts_state check (state in ('unhealthy', 'healthy')),
  constraint health_alerts_status check (status in ('pending', 'delivered', 'failed', 'unsent'))
);

create index health_alerts_pending_idx on analytics.health_alerts (alert_id) where status = 'pending';

comment on index analytics.health_alerts_pending_idx is 'The alerts still to deliver.';

comment on table analytics.health_alerts is
  'Outbox of health alerts: one row per state change, delivered in order to the webhook (pending → delivered; failed after 10 attempts; unsent when no webhook was configured). Kept 90 days.';

comment on column analytics.health_alerts.alert_id is 'Identity; alerts are delivered in this order.';

comment on column analytics.health_alerts.dedupe_key is 'The state change it reports (state and time of change): written once.';

comment on column analytics.health_alerts.state is 'The new state: unhealthy, or healthy (recovered).';

comment on column analytics.health_alerts.reasons is 'The health reasons at the change.';

comment on column analytics.health_alerts.payload is 'The Slack-compatible JSON body posted to the webhook.';

comment on column analytics.health_alerts.created_at is 'When the change was seen.';

comment on column analytics.health_alerts.status is 'pending | delivered | failed (gave up) | unsent (no webhook configured).';

comment on column analytics.health_alerts.attempts is 'Delivery attempts so far.';

comment on column analytics.health_alerts.next_attempt_at is 'Not sent again before this (backoff after a failure, or the lease of an attempt in progress).';

comment on column analytics.health_alerts.last_attempt_at is 'When delivery was last attempted.';

comment on column analytics.health_alerts.last_error is 'Why the last attempt failed.';

comment on column analytics.health_alerts.net_request_id is 'pg_net request in flight (hosted Supabase); null otherwise.';

comment on column analytics.health_alerts.delivered_at is 'When the webhook accepted it (2xx).';

alter table analytics.health_alerts enable row level security;

revoke all on analytics.health_alerts from public, anon, authenticated;

grant select, update on analytics.health_alerts to service_role;

-- The webhook: a Vault secret where Vault exists (hosted Supabase), else ops_settings. Dynamic SQL,
-- so that this applies (and lints) without Vault.
create or replace function analytics.health_alert_webhook_url()
returns text
language plpgsql
stable
set search_path = ''
as $$
declare
  v_secrets regclass;
  v_url text;
begin
  select c.oid::regclass into v_secrets from pg_catalog.pg_class c
  where c.relnamespace = to_regnamespace('vault') and c.relname = 'decrypted_secrets';
  if v_secrets is not null then
    begin
      execute format('select decrypted_secret from %s where name = $1 order by created_at desc limit 1', v_secrets)
        into v_url using 'analytics_alert_webhook_url';
    exception when insufficient_privilege then
      raise warning 'health_alert_webhook_url: no access to vault.decrypted_secrets; using ops_settings';
    end;
  end if;
  return coalesce(nullif(btrim(v_url), ''), (select o.alert_webhook_url from analytics.ops_settings o));
end;
$$;

comment on function analytics.health_alert_webhook_url() is
  'Where health alerts go: the Vault secret analytics_alert_webhook_url where Vault exists, else ops_settings.alert_webhook_url; null when neither is set.';

revoke all on function analytics.health_alert_webhook_url() from public, anon, authenticated;

grant execute on function analytics.health_alert_webhook_url() to service_role;

-- The message: Slack incoming-webhook JSON (`text` with mrkdwn), which Mattermost, Rocket.Chat and
-- Discord's /slack endpoint accept too.
create or replace function analytics.health_alert_payload(p_healthy boolean, p_reasons text[], p_since timestamptz, p_previous_since timestamptz)
returns jsonb
language sql
immutable
set search_path = ''
as $$
  select jsonb_build_object('text',
    case when p_healthy then
      format(':white_check_mark: *SAMIA-TAROT analytics recovered* at %s (unhealthy since %s).',
        to_char(p_since at time zone 'UTC', 'YYYY-MM-DD HH24:MI "UTC"'),
        coalesce(to_char(p_previous_since at time zone 'UTC', 'YYYY-MM-DD HH24:MI "UTC"'), 'unknown'))
    else
      format(E':rotating_light: *SAMIA-TAROT analytics is unhealthy* since %s:\n%s\nRunbook: docs/operations.md, section Health alerts.',
        to_char(p_since at time zone 'UTC', 'YYYY-MM-DD HH24:MI "UTC"'),
        (select string_agg('• ' || r, E'\n') from unnest(p_reasons) as r))
    end)
$$;

comment on function analytics.health_alert_payload(boolean, text[], timestamptz, timestamptz) is
  'The Slack-compatible webhook body for a health state change: {"text": "..."} with the reasons when unhealthy.';

revoke all on function analytics.health_alert_payload(boolean, text[], timestamptz, timestamptz) from public, anon, authenticated;

grant execute on function analytics.health_alert_payload(boolean, text[], timestamptz, timestamptz) to service_role;

-- Called by the pg_cron job (and `ops alerts deliver`). Writes an alert only when the state differs
-- from the last one seen; the first evaluation ever alerts only when unhealthy. While silenced it
-- records nothing, so the first evaluation after the silence alerts if the state changed.
create or replace function analytics.evaluate_health_alert(p_report jsonb default null)
returns analytics.health_alerts
language plpgsql
set search_path = ''
as $$
declare
  v_report jsonb;
  v_healthy boolean;
  v_reasons text[];
  v_state analytics.health_alert_state;
  v_alert analytics.health_alerts;
begin
  if exists (select 1 from analytics.ops_settings o where o.alerts_silenced_until > now()) then
    return null;
  end if;
  v_report := coalesce(p_report, analytics.health_report());
  v_healthy := (v_report ->> 'healthy')::boolean;
  v_reasons := array(select jsonb_array_elements_text(coalesce(v_report -> 'reasons', '[]')));

  insert into analytics.health_alert_state (healthy, reasons, changed_at, evaluated_at)
  values (true, '{}', now(), now())
  on conflict (singleton) do nothing;
  -- Concurrent evaluations queue here: only the first sees the change.
  select * into v_state from analytics.health_alert_state for update;

  if v_state.healthy = v_healthy then
    update analytics.health_alert_state set evaluated_at = now();
    return null;
  end if;

  update analytics.health_alert_state
  set healthy = v_healthy, reasons = v_reasons, changed_at = now(), evaluated_at = now();
  insert into analytics.health_alerts (dedupe_key, state, reasons, payload)
  values (
    format('%s@%s', case when v_healthy then 'healthy' else 'unhealthy' end, now()),
    case when v_healthy then 'healthy' else 'unhealthy' end,
    v_reasons,
    analytics.health_alert_payload(v_healthy, v_reasons, now(), v_state.changed_at))
  on conflict on constraint health_alerts_dedupe_key do nothing
  returning * into v_alert;
  return v_alert;
end;
$$;

comment on function analytics.evaluate_health_alert(jsonb) is
  'Evaluates health (or the given report) and, on a change of state since the last evaluation, records it and writes one alert to analytics.health_alerts. Returns the alert, or null. Does nothing while alerts are silenced (ops_settings.alerts_silenced_until).';

revoke all on function analytics.evaluate_health_alert(jsonb) from public, anon, authenticated;

grant execute on function analytics.evaluate_health_alert(jsonb) to service_role;

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

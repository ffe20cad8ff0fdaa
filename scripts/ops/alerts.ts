// `ops alerts [status]`: where alerts go, whether they are silenced, the health state they last saw
// and the latest alerts. `ops alerts webhook <url> | --clear`, `ops alerts silence --for 2h
// [--reason text]`, `ops alerts unsilence`, `ops alerts deliver` (evaluate health, then post the due
// alerts: what a scheduler runs where pg_net is missing).
import type { OpsSql } from "./db.ts";
import { parseDuration } from "./args.ts";
import type { OpsFlags } from "./args.ts";
import { deliverAlerts } from "./deliver-alerts.ts";
import { printRows } from "./table.ts";
import { UsageError } from "../../lib/cli.ts";

function webhookUrl(value: string | undefined): string {
  let url: URL;
  try {
    url = new URL(value ?? "");
  } catch {
    throw new UsageError("ops alerts webhook needs an http(s) URL, or --clear");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new UsageError("the webhook URL must be http(s)");
  return url.href;
}

async function printAlertStatus(sql: OpsSql): Promise<number> {
  // The webhook's host only: the path of a Slack webhook URL is its secret.
  printRows("Alert settings", await sql`
    select case when u.url is null then 'not set (alerts are recorded, not sent)'
             else substring(u.url from '^https?://([^/]+)') || case when u.url is distinct from o.alert_webhook_url then ' (Vault)' else '' end
           end as webhook,
      o.alerts_silenced_until as silenced_until, o.alerts_silence_reason as silence_reason
    from analytics.ops_settings o, lateral (select analytics.health_alert_webhook_url() as url) u`);
  printRows("Health state seen by alerts", await sql`
    select healthy, changed_at, evaluated_at, array_to_string(reasons, '; ') as reasons from analytics.health_alert_state`);
  printRows("Latest alerts", await sql`
    select alert_id, state, status, created_at, attempts, next_attempt_at, delivered_at, last_error
    from analytics.health_alerts order by alert_id desc limit 10`);
  return 0;
}

export async function alerts(sql: OpsSql, positional: string[], flags: OpsFlags): Promise<number> {
  const [sub = "status", ...rest] = positional;
  switch (sub) {
    case "status":
      return printAlertStatus(sql);
    case "webhook": {
      const url = flags.clear ? null : webhookUrl(rest[0]);
      if (flags.clear && rest.length) throw new UsageError("use either a URL or --clear");
      await sql`update analytics.ops_settings set alert_webhook_url = ${url}, updated_at = now()`;
      console.log(url ? `alerts go to ${new URL(url).host}` : "webhook cleared: alerts are recorded, not sent");
      return 0;
    }
    case "silence": {
      const span = parseDuration(flags.for, "for");
      const [{ until }] = await sql<{ until: Date }[]>`
        update analytics.ops_settings set alerts_silenced_until = now() + ${span}::interval,
          alerts_silence_reason = ${flags.reason ?? null}, updated_at = now()
        returning alerts_silenced_until as until`;
      console.log(`alerts silenced until ${until.toISOString()}`);
      return 0;
    }
    case "unsilence":
      await sql`update analytics.ops_settings set alerts_silenced_until = null, alerts_silence_reason = null, updated_at = now()`;
      console.log("alerts active");
      return 0;
    case "deliver": {
      const [{ state }] = await sql<{ state: string | null }[]>`
        select analytics.fail_abandoned_etl_runs(), (analytics.evaluate_health_alert()).state as state`;
      if (state) console.log(`health changed: ${state}`);
      const result = await deliverAlerts(sql);
      console.log(`${result.delivered} delivered, ${result.failed} failed`);
      return result.failed ? 1 : 0;
    }
    default:
      throw new UsageError(`unknown alerts command '${sub}' (status, webhook, silence, unsilence, deliver)`);
  }
}

// Delivery of health alerts where pg_net is missing (the local stack, any scheduler): claims the due
// alerts in order, posts each to the webhook and records the outcome (the database schedules
// retries with backoff). Stops at the first failure, so alerts arrive in order.
import type { OpsSql } from "./db.ts";

const POST_TIMEOUT_MS = 10_000;

type Claim = { alert_id: number; url: string; payload: unknown; attempts: number };
export type DeliveryResult = { delivered: number; failed: number; unsent: number };

async function post(url: string, payload: unknown): Promise<string | null> {
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(POST_TIMEOUT_MS),
    });
    if (res.ok) return null;
    return `HTTP ${res.status} ${(await res.text()).slice(0, 200)}`.trim();
  } catch (err) {
    return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  }
}

export async function deliverAlerts(sql: OpsSql): Promise<DeliveryResult> {
  const result: DeliveryResult = { delivered: 0, failed: 0, unsent: 0 };
  const [{ unsent_before }] = await sql<{ unsent_before: number }[]>`
    select count(*)::int as unsent_before from analytics.health_alerts where status = 'unsent'`;
  // One at a time: a claim counts an attempt, so only what is about to be posted is claimed.
  for (;;) {
    const claims = await sql<Claim[]>`select alert_id, url, payload, attempts from analytics.claim_health_alerts(1)`;
    if (claims.length === 0) break;
    for (const c of claims) {
      const error = await post(c.url, c.payload);
      await sql`select analytics.record_health_alert_delivery(${c.alert_id}, ${error === null}, ${error})`;
      const host = new URL(c.url).host;
      if (error === null) {
        result.delivered++;
        console.log(`alert ${c.alert_id} delivered to ${host} (attempt ${c.attempts})`);
      } else {
        result.failed++;
        console.log(`alert ${c.alert_id} NOT delivered to ${host} (attempt ${c.attempts}): ${error}; retried later`);
      }
    }
    if (result.failed > 0) break;
  }
  const [{ unsent_after }] = await sql<{ unsent_after: number }[]>`
    select count(*)::int as unsent_after from analytics.health_alerts where status = 'unsent'`;
  result.unsent = unsent_after - unsent_before;
  if (result.unsent > 0) console.log(`${result.unsent} alert(s) not sent: no webhook configured (ops alerts webhook <url>)`);
  return result;
}

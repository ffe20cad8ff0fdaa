// Valid sample events for every catalog type, and small helpers to post them and count rows.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll } from "vitest";
import { LOCAL_SECRET_KEY } from "../../stack/local-settings.ts";
import { connect } from "../helpers/db.ts";
import type { Sql } from "../helpers/db.ts";
import { callFunction } from "../helpers/functions.ts";

export type TestEvent = Record<string, unknown>;

/** An ISO timestamp `minutesAgo` minutes before now. */
export const ago = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString();

const BASE: Record<string, TestEvent> = {
  order_created: { event_domain: "orders", entity_id: "ord-1001", service_code: "tarot_reading" },
  order_assigned: { event_domain: "orders", entity_id: "ord-1001", service_code: "tarot_reading", metadata: { reader_id: "00000000-0000-4000-8000-000000000004" } },
  order_submitted: { event_domain: "orders", entity_id: "ord-1001", service_code: "tarot_reading" },
  order_approved: { event_domain: "orders", entity_id: "ord-1001", service_code: "tarot_reading" },
  order_rejected: { event_domain: "orders", entity_id: "ord-1001", service_code: "tarot_reading" },
  order_completed: { event_domain: "orders", entity_id: "ord-1001", service_code: "tarot_reading" },
  order_cancelled: { event_domain: "orders", entity_id: "ord-1001", service_code: "tarot_reading" },
  payment_attempted: { event_domain: "payments", entity_id: "pay-77", provider: "stripe", country_code: "SA", amount_cents: 5000, currency: "SAR", metadata: { is_fallback: false } },
  payment_succeeded: { event_domain: "payments", entity_id: "pay-77", provider: "stripe", country_code: "SA", amount_cents: 5000, currency: "SAR" },
  payment_failed: { event_domain: "payments", entity_id: "pay-78", provider: "square", country_code: "AE", currency: "AED", status: "card_declined" },
  refund_issued: { event_domain: "payments", entity_id: "pay-77", provider: "stripe", country_code: "SA", amount_cents: 1500, currency: "SAR" },
  call_started: { event_domain: "calls", entity_id: "call-9", service_code: "live_call", provider: "twilio" },
  call_answered: { event_domain: "calls", entity_id: "call-9", service_code: "live_call", provider: "twilio" },
  call_ended: { event_domain: "calls", entity_id: "call-9", service_code: "live_call", provider: "twilio", duration_seconds: 754, metadata: { recorded: true } },
  call_dropped: { event_domain: "calls", entity_id: "call-10", service_code: "live_call", provider: "twilio" },
  notification_sent: { event_domain: "notifications", entity_id: "ntf-5", provider: "fcm" },
  notification_delivered: { event_domain: "notifications", entity_id: "ntf-5", provider: "fcm" },
  notification_opened: { event_domain: "notifications", entity_id: "ntf-5", provider: "fcm" },
  notification_opted_out: { event_domain: "notifications", provider: "fcm" },
  content_flagged: { event_domain: "moderation", entity_type: "review", entity_id: "rev-3" },
  moderation_decision: { event_domain: "moderation", entity_type: "review", entity_id: "rev-3", status: "approved" },
  appeal_submitted: { event_domain: "moderation", entity_type: "review", entity_id: "rev-3" },
  horoscope_uploaded: { event_domain: "content", entity_id: "hor-2026-11-25-leo", metadata: { zodiac_sign: "leo" } },
  horoscope_approved: { event_domain: "content", entity_id: "hor-2026-11-25-leo", metadata: { zodiac_sign: "leo" } },
  horoscope_rejected: { event_domain: "content", entity_id: "hor-2026-11-25-leo", metadata: { zodiac_sign: "leo" } },
  horoscope_published: { event_domain: "content", entity_id: "hor-2026-11-25-leo", metadata: { zodiac_sign: "leo" } },
  horoscope_listened: { event_domain: "content", entity_id: "hor-2026-11-25-leo", metadata: { zodiac_sign: "leo", listen_percent: 87 } },
};

export const EVENT_TYPES = Object.keys(BASE);

/** A valid event of `type` with a fresh event_id, tagged with `requestId` so a test can find its rows. */
export function sampleEvent(type: string, requestId: string, userId: string, overrides: TestEvent = {}): TestEvent {
  const base = BASE[type];
  if (!base) throw new Error(`no sample for ${type}`);
  return {
    event_id: randomUUID(),
    event_type: type,
    event_timestamp: ago(30),
    user_id: userId,
    request_id: requestId,
    ...structuredClone(base),
    ...overrides,
  };
}

export const SERVICE_AUTH = { authorization: `Bearer ${LOCAL_SECRET_KEY}` };

/** POSTs a body to the ingest function with plain fetch (status codes and headers visible). */
export async function postIngest(body: unknown, headers: Record<string, string> = SERVICE_AUTH) {
  const res = await callFunction("ingest", {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" || body instanceof Uint8Array ? (body as unknown as BodyInit) : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, headers: res.headers, body: json, text };
}

export const countRows = async (sql: Sql, requestId: string) =>
  (await sql<{ n: number }[]>`select count(*)::int as n from public.events_raw where request_id = ${requestId}`)[0].n;

const deleteRows = (sql: Sql, requestId: string) =>
  sql`delete from public.events_raw where request_id = ${requestId}`;

/**
 * Per-file test data: a database connection, a request_id marking every row the file writes
 * (deleted before and after), and a fresh user id, so files never see each other's data.
 */
export function ingestTestContext(name: string) {
  const sql = connect();
  const REQ = `test-ingest-${name}-${randomUUID()}`;
  beforeAll(() => deleteRows(sql, REQ));
  afterAll(async () => {
    await deleteRows(sql, REQ);
    await sql.end();
  });
  return { sql, REQ, USER: randomUUID() };
}

// Hand-crafted events for the KPI edge cases (docs/design.md §8), on the KPI test days. Dimension values
// (service edge_service, provider edgepay/edgecall, JPY) are used by nothing else, so the tests can
// also assert their rows by hand.
import { randomUUID } from "node:crypto";
import { makeEvent } from "../../lib/generator/types.ts";
import type { GeneratedEvent } from "../../lib/generator/types.ts";

export const EDGE = {
  service: "edge_service",
  readerA: randomUUID(),
  readerB: randomUUID(),
  payProvider: "edgepay",
  callProvider: "edgecall",
  /** Active on 2026-09-09 only: in MAU of 10-05..10-08, in no WAU. */
  monthOnlyUser: randomUUID(),
  /** First active 2026-10-01 and again 2026-10-08: cohort 10-01, day 7 retained. */
  returningUser: randomUUID(),
  /** First active 2026-10-01 only. */
  oneDayUser: randomUUID(),
  /** Only sent and delivered a notification (2026-10-07) and named on a staff event: never active. */
  passiveUser: randomUUID(),
};

type Partial = Omit<Parameters<typeof makeEvent>[0], "event_id">;
const ev = (p: Partial) => makeEvent({ event_id: randomUUID(), ...p });

function order(id: string, type: string, at: string, extra: Record<string, unknown> = {}): GeneratedEvent {
  return ev({ event_domain: "orders", event_type: type, event_timestamp: at, entity_type: "order", entity_id: id, service_code: EDGE.service, ...extra });
}

export function edgeCaseEvents(): GeneratedEvent[] {
  const looped = randomUUID();
  const unassigned = randomUUID();
  const single = randomUUID();
  const stray = randomUUID();
  const pay = { event_domain: "payments" as const, entity_type: "payment", provider: EDGE.payProvider, country_code: "JP", currency: "JPY", amount_cents: 5000 };
  return [
    // Created late on 10-06, reassigned A → B after midnight, rejected twice, then approved and completed on 10-07.
    order(looped, "order_created", "2026-10-06T22:00:00.000Z", { user_id: EDGE.returningUser }),
    order(looped, "order_assigned", "2026-10-06T23:30:00.000Z", { metadata: { reader_id: EDGE.readerA } }),
    order(looped, "order_assigned", "2026-10-07T01:00:00.000Z", { metadata: { reader_id: EDGE.readerB } }),
    order(looped, "order_submitted", "2026-10-07T02:00:00.000Z"),
    order(looped, "order_rejected", "2026-10-07T03:00:00.000Z"),
    order(looped, "order_submitted", "2026-10-07T04:00:00.000Z"),
    order(looped, "order_rejected", "2026-10-07T05:00:00.500Z"),
    order(looped, "order_submitted", "2026-10-07T06:00:00.000Z"),
    order(looped, "order_approved", "2026-10-07T07:00:00.250Z"),
    order(looped, "order_completed", "2026-10-07T08:00:00.000Z"),
    // Never assigned: counts only in reader-null rows.
    order(unassigned, "order_created", "2026-10-07T09:00:00.000Z"),
    order(unassigned, "order_cancelled", "2026-10-07T10:00:00.000Z"),
    // Reader A decides once with a single rejection (no loop).
    order(single, "order_created", "2026-10-07T00:10:00.000Z"),
    order(single, "order_assigned", "2026-10-07T00:20:00.000Z", { metadata: { reader_id: EDGE.readerA } }),
    order(single, "order_submitted", "2026-10-07T01:20:00.000Z"),
    order(single, "order_rejected", "2026-10-07T01:50:00.000Z"),
    // A rejection stamped the day before the order's creation: an order created on 10-07 began on
    // 10-07, so on 10-07 it has one rejection, not two (no loop); on 10-06 the stray event counts.
    order(stray, "order_rejected", "2026-10-06T20:00:00.000Z"),
    order(stray, "order_created", "2026-10-07T12:00:00.000Z"),
    order(stray, "order_submitted", "2026-10-07T12:30:00.000Z"),
    order(stray, "order_rejected", "2026-10-07T13:00:00.000Z"),
    // Payments in JPY: a string "true" is not a fallback; 10-07 has only a refund (negative revenue, no success).
    ev({ ...pay, event_type: "payment_attempted", event_timestamp: "2026-10-06T12:00:00.000Z", entity_id: "p-edge-1", metadata: { is_fallback: "true" } }),
    ev({ ...pay, event_type: "payment_attempted", event_timestamp: "2026-10-06T12:01:00.000Z", entity_id: "p-edge-2", metadata: { is_fallback: true } }),
    ev({ ...pay, event_type: "payment_succeeded", event_timestamp: "2026-10-06T12:01:05.000Z", entity_id: "p-edge-2" }),
    ev({ ...pay, event_type: "refund_issued", event_timestamp: "2026-10-07T15:00:00.000Z", entity_id: "p-edge-2" }),
    // A payment retried under the same id: its success answers the latest attempt only.
    ev({ ...pay, event_type: "payment_attempted", event_timestamp: "2026-10-06T13:00:00.000Z", entity_id: "p-edge-3" }),
    ev({ ...pay, event_type: "payment_attempted", event_timestamp: "2026-10-06T13:01:00.000Z", entity_id: "p-edge-3", metadata: { is_fallback: true } }),
    ev({ ...pay, event_type: "payment_succeeded", event_timestamp: "2026-10-06T13:02:00.000Z", entity_id: "p-edge-3" }),
    // Calls that are never answered: answer rate 0, the answered-based rates null.
    ev({ event_domain: "calls", event_type: "call_started", event_timestamp: "2026-10-07T11:00:00.000Z", entity_type: "call", entity_id: "c-edge-1", service_code: EDGE.service, provider: EDGE.callProvider }),
    // Same-day answers on 10-05 (checked against the independent expectation): a denominator repeated
    // on the day (a restarted call, a reconnected call, a payment paid twice, a notification delivered
    // twice) is answered only by the outcome after it and before the next one; at one instant the
    // denominator comes first; an outcome before any denominator of the day looks back (none stored).
    ...sameDayAnswers(),
    // Activity windows and retention.
    ev({ event_domain: "notifications", event_type: "notification_opted_out", event_timestamp: "2026-09-09T10:00:00.000Z", user_id: EDGE.monthOnlyUser }),
    ev({ event_domain: "content", event_type: "horoscope_listened", event_timestamp: "2026-10-01T08:00:00.000Z", entity_type: "horoscope", entity_id: "leo-daily", user_id: EDGE.returningUser, metadata: { zodiac_sign: "leo", listen_percent: 40 } }),
    ev({ event_domain: "content", event_type: "horoscope_listened", event_timestamp: "2026-10-01T09:00:00.000Z", entity_type: "horoscope", entity_id: "leo-daily", user_id: EDGE.oneDayUser, metadata: { zodiac_sign: "leo", listen_percent: 100 } }),
    ev({ event_domain: "content", event_type: "horoscope_listened", event_timestamp: "2026-10-08T08:00:00.000Z", entity_type: "horoscope", entity_id: "leo-daily", user_id: EDGE.returningUser, metadata: { zodiac_sign: "leo", listen_percent: 55 } }),
    // Events that carry a user id without the user doing anything (docs/design.md §10.2).
    ev({ event_domain: "notifications", event_type: "notification_sent", event_timestamp: "2026-10-07T16:00:00.000Z", entity_type: "notification", entity_id: "n-edge-passive", user_id: EDGE.passiveUser }),
    ev({ event_domain: "notifications", event_type: "notification_delivered", event_timestamp: "2026-10-07T16:00:01.000Z", entity_type: "notification", entity_id: "n-edge-passive", user_id: EDGE.passiveUser }),
    ev({ event_domain: "moderation", event_type: "moderation_decision", event_timestamp: "2026-10-08T10:00:00.000Z", entity_type: "review", entity_id: "r-edge-passive", status: "approved", user_id: EDGE.passiveUser }),
  ];
}

/** Same-day answer cases of 2026-10-05: repeated denominators, ties at one instant, outcomes first. */
function sameDayAnswers(): GeneratedEvent[] {
  const at = (time: string) => `2026-10-05T${time}.000Z`;
  const call = (id: string, type: string, time: string, metadata: Record<string, string | number | boolean> = {}) =>
    ev({ event_domain: "calls", event_type: type, event_timestamp: at(time), entity_type: "call", entity_id: id, service_code: EDGE.service, provider: EDGE.callProvider, metadata,
      ...(type === "call_ended" ? { duration_seconds: 600 } : {}) });
  const pay = (id: string, type: string, time: string) =>
    ev({ event_domain: "payments", event_type: type, event_timestamp: at(time), entity_type: "payment", entity_id: id, provider: EDGE.payProvider, country_code: "JP", currency: "JPY", amount_cents: 3000 });
  const note = (id: string, type: string, time: string) =>
    ev({ event_domain: "notifications", event_type: type, event_timestamp: at(time), entity_type: "notification", entity_id: id, user_id: EDGE.returningUser });
  return [
    call("c-edge-restart", "call_started", "10:00:00"), call("c-edge-restart", "call_started", "10:05:00"),
    call("c-edge-restart", "call_answered", "10:06:00"), call("c-edge-restart", "call_ended", "10:20:00", { recorded: true }),
    call("c-edge-reconnect", "call_started", "11:00:00"), call("c-edge-reconnect", "call_answered", "11:01:00"),
    call("c-edge-reconnect", "call_dropped", "11:10:00"), call("c-edge-reconnect", "call_answered", "11:11:00"),
    call("c-edge-reconnect", "call_ended", "11:30:00"),
    call("c-edge-tie", "call_ended", "12:00:00", { recorded: true }), call("c-edge-tie", "call_answered", "12:00:00"),
    call("c-edge-tie", "call_started", "12:00:00"),
    call("c-edge-orphan", "call_answered", "13:00:00"), call("c-edge-orphan", "call_started", "13:05:00"),
    pay("p-edge-tie", "refund_issued", "09:00:00"), pay("p-edge-tie", "payment_succeeded", "09:00:00"),
    pay("p-edge-tie", "payment_attempted", "09:00:00"),
    pay("p-edge-twice", "payment_attempted", "10:00:00"), pay("p-edge-twice", "payment_succeeded", "10:01:00"),
    pay("p-edge-twice", "payment_attempted", "10:02:00"), pay("p-edge-twice", "payment_succeeded", "10:03:00"),
    pay("p-edge-twice", "refund_issued", "10:04:00"),
    pay("p-edge-refund-first", "refund_issued", "11:00:00"), pay("p-edge-refund-first", "payment_attempted", "11:01:00"),
    pay("p-edge-refund-first", "payment_succeeded", "11:02:00"),
    note("n-edge-redelivered", "notification_delivered", "08:00:00"), note("n-edge-redelivered", "notification_delivered", "09:00:00"),
    note("n-edge-redelivered", "notification_opened", "09:30:00"),
    note("n-edge-tie", "notification_opened", "14:00:00"), note("n-edge-tie", "notification_delivered", "14:00:00"),
    note("n-edge-open-first", "notification_opened", "07:00:00"), note("n-edge-open-first", "notification_delivered", "07:30:00"),
  ];
}

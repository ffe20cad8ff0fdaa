// The KPI contract (DESIGN.md §5, §7, §8) computed straight from events in TypeScript, independently
// of the SQL ETL, so the tests can compare every row and field of the metric tables against it.
import { percentile } from "../../bench/lib.ts";
import type { GeneratedEvent } from "../../scripts/generator/index.ts";

type Ev = GeneratedEvent;
type Row = Record<string, string | number | null>;
const DAY = 86_400_000;
const LOOKBACK_MS = 30 * DAY; // analytics.etl_lookback()

const ms = (e: Ev) => Date.parse(e.event_timestamp);
const dayStart = (day: string) => Date.parse(`${day}T00:00:00Z`);
const dayOf = (e: Ev) => e.event_timestamp.slice(0, 10);
const addDays = (day: string, n: number) => new Date(dayStart(day) + n * DAY).toISOString().slice(0, 10);
const ratio = (a: number, b: number) => (b === 0 ? null : a / b);
const mean = (xs: number[]) => (xs.length === 0 ? null : xs.reduce((s, x) => s + x, 0) / xs.length);
const p95 = (xs: number[]) => (xs.length === 0 ? null : percentile([...xs].sort((a, b) => a - b), 0.95));
const count = (es: Ev[], type: string) => es.filter((e) => e.event_type === type).length;

function onDay(events: Ev[], day: string, domain?: string): Ev[] {
  return events.filter((e) => dayOf(e) === day && (domain === undefined || e.event_domain === domain));
}

/** Events of one entity (same domain) from the look-back start up to the end of the day, by time.
 * An order created on the day began on it: its history is that day's events only. */
function histories(events: Ev[], day: string, domain: string): Map<string, Ev[]> {
  const from = dayStart(day) - LOOKBACK_MS;
  const to = dayStart(day) + DAY;
  const by = new Map<string, Ev[]>();
  for (const e of events) {
    if (e.event_domain !== domain || e.entity_id === null || ms(e) < from || ms(e) >= to) continue;
    by.set(e.entity_id, [...(by.get(e.entity_id) ?? []), e]);
  }
  for (const [id, list] of by) {
    list.sort((a, b) => ms(a) - ms(b));
    if (domain === "orders" && list.some((e) => e.event_type === "order_created" && dayOf(e) === day)) {
      by.set(id, list.filter((e) => dayOf(e) === day));
    }
  }
  return by;
}

/** Latest (or earliest) time of an event of `type` at or before `at` in a history. */
function lastAtOrBefore(history: Ev[], type: string, at: number): Ev | undefined {
  return history.filter((h) => h.event_type === type && ms(h) <= at).at(-1);
}

export function expectedFulfillment(events: Ev[], day: string): Row[] {
  const hist = histories(events, day, "orders");
  type Acc = { events: Ev[]; decided: Set<string>; looped: Set<string>; response: number[]; delivery: number[]; approval: number[] };
  const groups = new Map<string, Acc & { service_code: string | null; reader_id: string | null }>();
  for (const e of onDay(events, day, "orders")) {
    const h = e.entity_id === null ? [] : hist.get(e.entity_id) ?? [];
    const at = ms(e);
    const reader = (lastAtOrBefore(h, "order_assigned", at)?.metadata.reader_id as string | undefined) ?? null;
    const created = h.find((x) => x.event_type === "order_created" && ms(x) <= at);
    const submitted = lastAtOrBefore(h, "order_submitted", at);
    const isDecision = e.event_type === "order_approved" || e.event_type === "order_rejected";
    const rejections = h.filter((x) => x.event_type === "order_rejected").length;
    const keys: [string | null, string | null][] = [[null, null]];
    if (e.service_code !== null) keys.push([e.service_code, null]);
    if (reader !== null) keys.push([null, reader]);
    if (e.service_code !== null && reader !== null) keys.push([e.service_code, reader]);
    for (const [service_code, reader_id] of keys) {
      const key = `${service_code}|${reader_id}`;
      let g = groups.get(key);
      if (!g) {
        g = { service_code, reader_id, events: [], decided: new Set(), looped: new Set(), response: [], delivery: [], approval: [] };
        groups.set(key, g);
      }
      g.events.push(e);
      if (isDecision && e.entity_id !== null) {
        g.decided.add(e.entity_id);
        if (rejections >= 2) g.looped.add(e.entity_id);
      }
      if (e.event_type === "order_assigned" && created) g.response.push((at - ms(created)) / 1000);
      if (e.event_type === "order_completed" && created) g.delivery.push((at - ms(created)) / 1000);
      if (isDecision && submitted) g.approval.push((at - ms(submitted)) / 1000);
    }
  }
  return [...groups.values()].map((g) => {
    const approvals = count(g.events, "order_approved");
    const rejections = count(g.events, "order_rejected");
    return {
      metric_date: day, service_code: g.service_code, reader_id: g.reader_id,
      orders_created: count(g.events, "order_created"), orders_assigned: count(g.events, "order_assigned"),
      orders_completed: count(g.events, "order_completed"), orders_cancelled: count(g.events, "order_cancelled"),
      approvals, rejections, approval_rate: ratio(approvals, approvals + rejections),
      rejection_loop_rate: ratio(g.looped.size, g.decided.size),
      ttf_response_avg_s: mean(g.response), ttf_response_p95_s: p95(g.response),
      ttf_delivery_avg_s: mean(g.delivery), ttf_delivery_p95_s: p95(g.delivery),
      ttf_approval_avg_s: mean(g.approval), ttf_approval_p95_s: p95(g.approval),
    };
  });
}

export function expectedPayments(events: Ev[], day: string): Row[] {
  const groups = new Map<string, { provider: string | null; country_code: string | null; currency: string; events: Ev[] }>();
  for (const e of onDay(events, day, "payments")) {
    if (e.currency === null) continue;
    const keys: [string | null, string | null][] = [[null, null]];
    if (e.provider !== null && e.country_code !== null) keys.push([e.provider, e.country_code]);
    for (const [provider, country_code] of keys) {
      const key = `${provider}|${country_code}|${e.currency}`;
      if (!groups.has(key)) groups.set(key, { provider, country_code, currency: e.currency, events: [] });
      groups.get(key)!.events.push(e);
    }
  }
  return [...groups.values()].map((g) => {
    const attempts = g.events.filter((e) => e.event_type === "payment_attempted");
    const fallback = attempts.filter((e) => e.metadata.is_fallback === true).length;
    const succeeded = g.events.filter((e) => e.event_type === "payment_succeeded").map((e) => e.amount_cents ?? 0);
    const refunded = g.events.filter((e) => e.event_type === "refund_issued").map((e) => e.amount_cents ?? 0);
    const gross = succeeded.reduce((s, x) => s + x, 0);
    const refundedCents = refunded.reduce((s, x) => s + x, 0);
    return {
      metric_date: day, provider: g.provider, country_code: g.country_code, currency: g.currency,
      attempts: attempts.length, fallback_attempts: fallback, successes: succeeded.length,
      failures: count(g.events, "payment_failed"), refunds: refunded.length,
      success_rate: ratio(succeeded.length, attempts.length), fallback_rate: ratio(fallback, attempts.length),
      refund_rate: ratio(refunded.length, succeeded.length),
      gross_cents: gross, refunded_cents: refundedCents, revenue_cents: gross - refundedCents,
      avg_transaction_cents: mean(succeeded),
    };
  });
}

export function expectedCalls(events: Ev[], day: string): Row[] {
  const groups = new Map<string, { service_code: string | null; provider: string | null; events: Ev[] }>();
  for (const e of onDay(events, day, "calls")) {
    const keys: [string | null, string | null][] = [[null, null]];
    if (e.service_code !== null && e.provider !== null) keys.push([e.service_code, e.provider]);
    for (const [service_code, provider] of keys) {
      const key = `${service_code}|${provider}`;
      if (!groups.has(key)) groups.set(key, { service_code, provider, events: [] });
      groups.get(key)!.events.push(e);
    }
  }
  return [...groups.values()].map((g) => {
    const answered = count(g.events, "call_answered");
    const ended = g.events.filter((e) => e.event_type === "call_ended");
    const recorded = ended.filter((e) => e.metadata.recorded === true).length;
    const durations = ended.map((e) => e.duration_seconds ?? 0);
    return {
      metric_date: day, service_code: g.service_code, provider: g.provider,
      started: count(g.events, "call_started"), answered, completed: ended.length,
      dropped: count(g.events, "call_dropped"), recorded,
      answer_rate: ratio(answered, count(g.events, "call_started")), completion_rate: ratio(ended.length, answered),
      drop_rate: ratio(count(g.events, "call_dropped"), answered), recording_rate: ratio(recorded, answered),
      duration_avg_s: mean(durations), duration_p95_s: p95(durations),
    };
  });
}

/** The event types that show a user doing something (DESIGN.md §10.2), written out here rather
 * than read from the catalog, so that a catalog change is caught by the comparison. */
export const USER_INITIATED = new Set([
  "order_created", "payment_attempted", "call_started", "notification_opened", "notification_opted_out",
  "content_flagged", "appeal_submitted", "horoscope_listened",
]);

/** Users active on each day: a user-initiated event carrying their user_id. */
export function activityByDay(events: Ev[]): Map<string, Set<string>> {
  const by = new Map<string, Set<string>>();
  for (const e of events) {
    if (e.user_id === null || !USER_INITIATED.has(e.event_type)) continue;
    const d = dayOf(e);
    if (!by.has(d)) by.set(d, new Set());
    by.get(d)!.add(e.user_id);
  }
  return by;
}

function activeBetween(activity: Map<string, Set<string>>, day: string, days: number): number {
  const users = new Set<string>();
  for (let i = 0; i < days; i++) for (const u of activity.get(addDays(day, -i)) ?? []) users.add(u);
  return users.size;
}

export function expectedEngagement(events: Ev[], day: string): Row[] {
  const activity = activityByDay(events);
  const es = onDay(events, day);
  const delivered = count(es, "notification_delivered");
  const sent = count(es, "notification_sent");
  const listens = es.filter((e) => e.event_type === "horoscope_listened").map((e) => Number(e.metadata.listen_percent));
  return [{
    metric_date: day, dau: activity.get(day)?.size ?? 0, wau: activeBetween(activity, day, 7), mau: activeBetween(activity, day, 30),
    notifications_sent: sent, notifications_delivered: delivered,
    notifications_opened: count(es, "notification_opened"), notifications_opted_out: count(es, "notification_opted_out"),
    notification_ctr: ratio(count(es, "notification_opened"), delivered),
    opt_out_rate: ratio(count(es, "notification_opted_out"), sent),
    listens: listens.length, listen_through_avg_pct: mean(listens),
  }];
}

export function expectedContent(events: Ev[], day: string): Row[] {
  const es = onDay(events, day, "content");
  const hist = histories(events, day, "content");
  const latencies: number[] = [];
  for (const e of es.filter((x) => x.event_type === "horoscope_approved")) {
    const upload = lastAtOrBefore(hist.get(e.entity_id ?? "") ?? [], "horoscope_uploaded", ms(e));
    if (upload) latencies.push((ms(e) - ms(upload)) / 1000);
  }
  const approved = count(es, "horoscope_approved");
  const rejected = count(es, "horoscope_rejected");
  const signs = new Set(es.filter((e) => e.event_type === "horoscope_published").map((e) => e.metadata.zodiac_sign)).size;
  return [{
    metric_date: day, uploaded: count(es, "horoscope_uploaded"), approved, rejected,
    published: count(es, "horoscope_published"), signs_published: signs, coverage_rate: signs / 12,
    approval_rate: ratio(approved, approved + rejected),
    approval_latency_avg_s: mean(latencies), approval_latency_p95_s: p95(latencies),
  }];
}

/** Cohort rows observed on `day` (cohort C, N = day - C), first activity taken over all given events. */
export function expectedCohorts(events: Ev[], day: string): Row[] {
  const activity = activityByDay(events);
  const firstSeen = new Map<string, string>();
  for (const d of [...activity.keys()].sort()) {
    if (d > day) continue;
    for (const u of activity.get(d)!) if (!firstSeen.has(u)) firstSeen.set(u, d);
  }
  const cohorts = new Map<string, string[]>();
  for (const [u, d] of firstSeen) cohorts.set(d, [...(cohorts.get(d) ?? []), u]);
  const activeToday = activity.get(day) ?? new Set<string>();
  return [...cohorts.entries()]
    .filter(([c]) => c >= addDays(day, -365))
    .map(([c, users]) => {
      const retained = users.filter((u) => activeToday.has(u)).length;
      return {
        cohort_date: c, retention_day: Math.round((dayStart(day) - dayStart(c)) / DAY), cohort_size: users.length,
        retained_users: retained, retention_rate: retained / users.length,
      };
    });
}

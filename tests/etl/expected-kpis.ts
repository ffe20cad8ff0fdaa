// The KPI contract (docs/design.md §5, §7, §8 and v2, §10) computed straight from events in
// TypeScript, independently of the SQL ETL, so the tests can compare every row and field of the
// metric tables against it. Days are local days in a time zone (Intl, not the database's tz data);
// rates are shares attributed to the denominator's day.
import { percentile } from "../../lib/stats.ts";
import type { GeneratedEvent } from "../../lib/generator/index.ts";

type Ev = GeneratedEvent;
type Row = Record<string, string | number | null>;
const DAY = 86_400_000;

/** How days are cut (IANA zone) and up to when outcomes count (ms; docs/design.md: "so far"). */
export type KpiOptions = { zone?: string; horizon?: number };

const ms = (e: Ev) => Date.parse(e.event_timestamp);
const ratio = (a: number, b: number) => (b === 0 ? null : a / b);
const mean = (xs: number[]) => (xs.length === 0 ? null : xs.reduce((s, x) => s + x, 0) / xs.length);
const p95 = (xs: number[]) => (xs.length === 0 ? null : percentile([...xs].sort((a, b) => a - b), 0.95));
const count = (es: Ev[], type: string) => es.filter((e) => e.event_type === type).length;

/** Calendar arithmetic on YYYY-MM-DD dates (no time zone involved). */
export const addDays = (day: string, n: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);
const daysApart = (from: string, to: string) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY);

/** Local dates of instants in one zone, and the first instant of a local date. */
export class Calendar {
  private readonly fmt: Intl.DateTimeFormat;
  private readonly starts = new Map<string, number>();
  constructor(readonly zone = "UTC") {
    this.fmt = new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" });
  }
  dateOf(t: number): string {
    return this.fmt.format(new Date(t));
  }
  /** The first millisecond whose local date is `day` (local midnight, or the end of a DST gap). */
  start(day: string): number {
    let s = this.starts.get(day);
    if (s === undefined) {
      let lo = Date.parse(`${day}T00:00:00Z`) - 2 * DAY;
      let hi = lo + 4 * DAY;
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (this.dateOf(mid) >= day) hi = mid;
        else lo = mid;
      }
      s = hi;
      this.starts.set(day, s);
    }
    return s;
  }
}

const calendars = new Map<string, Calendar>();
function calendarOf(opts: KpiOptions): Calendar {
  const zone = opts.zone ?? "UTC";
  if (!calendars.has(zone)) calendars.set(zone, new Calendar(zone));
  return calendars.get(zone)!;
}
const horizonOf = (opts: KpiOptions) => opts.horizon ?? Number.POSITIVE_INFINITY;

function onDay(events: Ev[], day: string, cal: Calendar, domain?: string): Ev[] {
  return events.filter((e) => cal.dateOf(ms(e)) === day && (domain === undefined || e.event_domain === domain));
}

/** Events of one entity (same domain) stored up to the end of the day, by time (no look-back
 * limit). An order created on the day began on it: its history is that day's events only. */
function histories(events: Ev[], day: string, domain: string, cal: Calendar): Map<string, Ev[]> {
  const to = cal.start(addDays(day, 1));
  const by = new Map<string, Ev[]>();
  for (const e of events) {
    if (e.event_domain !== domain || e.entity_id === null || ms(e) >= to) continue;
    by.set(e.entity_id, [...(by.get(e.entity_id) ?? []), e]);
  }
  for (const [id, list] of by) {
    list.sort((a, b) => ms(a) - ms(b));
    if (domain === "orders" && list.some((e) => e.event_type === "order_created" && cal.dateOf(ms(e)) === day)) {
      by.set(id, list.filter((e) => cal.dateOf(ms(e)) === day));
    }
  }
  return by;
}

/** Latest (or earliest) time of an event of `type` at or before `at` in a history. */
function lastAtOrBefore(history: Ev[], type: string, at: number): Ev | undefined {
  return history.filter((h) => h.event_type === type && ms(h) <= at).at(-1);
}

// ---- shares (docs/design.md §10.4) ---------------------------------------------------------------

type Share = { domain: string; den: string; out: string; recordedOnly?: boolean };
const SHARES = {
  success: { domain: "payments", den: "payment_attempted", out: "payment_succeeded" },
  refund: { domain: "payments", den: "payment_succeeded", out: "refund_issued" },
  answer: { domain: "calls", den: "call_started", out: "call_answered" },
  completion: { domain: "calls", den: "call_answered", out: "call_ended" },
  drop: { domain: "calls", den: "call_answered", out: "call_dropped" },
  recording: { domain: "calls", den: "call_answered", out: "call_ended", recordedOnly: true },
  ctr: { domain: "notifications", den: "notification_delivered", out: "notification_opened" },
} as const satisfies Record<string, Share>;

/** Event ids of the denominator events answered by an outcome before the horizon: each outcome
 * answers the latest denominator of its entity at or before it (by time, a denominator before an
 * outcome at the same instant, then by event id). */
function answered(events: Ev[], share: Share, horizon: number): Set<string> {
  const byEntity = new Map<string, { e: Ev; den: boolean }[]>();
  for (const e of events) {
    if (e.event_domain !== share.domain || e.entity_id === null) continue;
    const den = e.event_type === share.den;
    const out = e.event_type === share.out && (!share.recordedOnly || e.metadata.recorded === true);
    if (!den && !out) continue;
    byEntity.set(e.entity_id, [...(byEntity.get(e.entity_id) ?? []), { e, den }]);
  }
  const result = new Set<string>();
  for (const list of byEntity.values()) {
    list.sort((a, b) => ms(a.e) - ms(b.e) || Number(b.den) - Number(a.den) || (a.e.event_id < b.e.event_id ? -1 : a.e.event_id > b.e.event_id ? 1 : 0));
    let latest: Ev | undefined;
    for (const { e, den } of list) {
      if (den) latest = e;
      else if (latest && ms(e) < horizon) result.add(latest.event_id);
    }
  }
  return result;
}

const answeredCache = new WeakMap<Ev[], Map<string, Set<string>>>();
function answeredBy(events: Ev[], name: keyof typeof SHARES, horizon: number): Set<string> {
  let byShare = answeredCache.get(events);
  if (!byShare) answeredCache.set(events, (byShare = new Map()));
  const key = `${name}@${horizon}`;
  if (!byShare.has(key)) byShare.set(key, answered(events, SHARES[name], horizon));
  return byShare.get(key)!;
}

// ---- per-domain rows --------------------------------------------------------------------------

export function expectedFulfillment(events: Ev[], day: string, opts: KpiOptions = {}): Row[] {
  const cal = calendarOf(opts);
  const hist = histories(events, day, "orders", cal);
  type Acc = { events: Ev[]; decided: Set<string>; looped: Set<string>; response: number[]; delivery: number[]; approval: number[] };
  const groups = new Map<string, Acc & { service_code: string | null; reader_id: string | null }>();
  for (const e of onDay(events, day, cal, "orders")) {
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

export function expectedPayments(events: Ev[], day: string, opts: KpiOptions = {}): Row[] {
  const cal = calendarOf(opts);
  const succeeded = answeredBy(events, "success", horizonOf(opts));
  const refunded = answeredBy(events, "refund", horizonOf(opts));
  const groups = new Map<string, { provider: string | null; country_code: string | null; currency: string; events: Ev[] }>();
  for (const e of onDay(events, day, cal, "payments")) {
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
    const successes = g.events.filter((e) => e.event_type === "payment_succeeded");
    const succeededAmounts = successes.map((e) => e.amount_cents ?? 0);
    const refundedAmounts = g.events.filter((e) => e.event_type === "refund_issued").map((e) => e.amount_cents ?? 0);
    const gross = succeededAmounts.reduce((s, x) => s + x, 0);
    const refundedCents = refundedAmounts.reduce((s, x) => s + x, 0);
    return {
      metric_date: day, provider: g.provider, country_code: g.country_code, currency: g.currency,
      attempts: attempts.length, fallback_attempts: fallback, successes: successes.length,
      failures: count(g.events, "payment_failed"), refunds: refundedAmounts.length,
      attempts_succeeded: attempts.filter((e) => succeeded.has(e.event_id)).length,
      successes_refunded: successes.filter((e) => refunded.has(e.event_id)).length,
      success_rate: ratio(attempts.filter((e) => succeeded.has(e.event_id)).length, attempts.length),
      fallback_rate: ratio(fallback, attempts.length),
      refund_rate: ratio(successes.filter((e) => refunded.has(e.event_id)).length, successes.length),
      gross_cents: gross, refunded_cents: refundedCents, revenue_cents: gross - refundedCents,
      avg_transaction_cents: mean(succeededAmounts),
    };
  });
}

export function expectedCalls(events: Ev[], day: string, opts: KpiOptions = {}): Row[] {
  const cal = calendarOf(opts);
  const h = horizonOf(opts);
  const [answeredStarts, completed, dropped, recorded] = (["answer", "completion", "drop", "recording"] as const)
    .map((s) => answeredBy(events, s, h));
  const groups = new Map<string, { service_code: string | null; provider: string | null; events: Ev[] }>();
  for (const e of onDay(events, day, cal, "calls")) {
    const keys: [string | null, string | null][] = [[null, null]];
    if (e.service_code !== null && e.provider !== null) keys.push([e.service_code, e.provider]);
    for (const [service_code, provider] of keys) {
      const key = `${service_code}|${provider}`;
      if (!groups.has(key)) groups.set(key, { service_code, provider, events: [] });
      groups.get(key)!.events.push(e);
    }
  }
  return [...groups.values()].map((g) => {
    const started = g.events.filter((e) => e.event_type === "call_started");
    const answers = g.events.filter((e) => e.event_type === "call_answered");
    const ended = g.events.filter((e) => e.event_type === "call_ended");
    const durations = ended.map((e) => e.duration_seconds ?? 0);
    const of = (set: Set<string>) => answers.filter((e) => set.has(e.event_id)).length;
    const share = (set: Set<string>) => ratio(of(set), answers.length);
    return {
      metric_date: day, service_code: g.service_code, provider: g.provider,
      started: started.length, answered: answers.length, completed: ended.length,
      dropped: count(g.events, "call_dropped"), recorded: ended.filter((e) => e.metadata.recorded === true).length,
      started_answered: started.filter((e) => answeredStarts.has(e.event_id)).length,
      answered_completed: of(completed), answered_dropped: of(dropped), answered_recorded: of(recorded),
      answer_rate: ratio(started.filter((e) => answeredStarts.has(e.event_id)).length, started.length),
      completion_rate: share(completed), drop_rate: share(dropped), recording_rate: share(recorded),
      duration_avg_s: mean(durations), duration_p95_s: p95(durations),
    };
  });
}

/** The event types that show a user doing something (docs/design.md §10.2), written out here rather
 * than read from the catalog, so that a catalog change is caught by the comparison. */
const USER_INITIATED = new Set([
  "order_created", "payment_attempted", "call_started", "notification_opened", "notification_opted_out",
  "content_flagged", "appeal_submitted", "horoscope_listened",
]);

/** Users active on each local day: a user-initiated event carrying their user_id. */
function activityByDay(events: Ev[], opts: KpiOptions = {}): Map<string, Set<string>> {
  const cal = calendarOf(opts);
  const by = new Map<string, Set<string>>();
  for (const e of events) {
    if (e.user_id === null || !USER_INITIATED.has(e.event_type)) continue;
    const d = cal.dateOf(ms(e));
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

export function expectedEngagement(events: Ev[], day: string, opts: KpiOptions = {}): Row[] {
  const cal = calendarOf(opts);
  const activity = activityByDay(events, opts);
  const es = onDay(events, day, cal);
  const delivered = es.filter((e) => e.event_type === "notification_delivered");
  const opened = answeredBy(events, "ctr", horizonOf(opts));
  const recipients = new Set(es.filter((e) => e.event_type === "notification_sent" && e.user_id !== null).map((e) => e.user_id!));
  // Opted out on the day or later (up to the horizon; the day's own opt-outs always count).
  const start = cal.start(day);
  const optedOut = new Set(events
    .filter((e) => e.event_type === "notification_opted_out" && e.user_id !== null && ms(e) >= start
      && (ms(e) < horizonOf(opts) || cal.dateOf(ms(e)) === day))
    .map((e) => e.user_id!));
  const listens = es.filter((e) => e.event_type === "horoscope_listened").map((e) => Number(e.metadata.listen_percent));
  return [{
    metric_date: day, dau: activity.get(day)?.size ?? 0, wau: activeBetween(activity, day, 7), mau: activeBetween(activity, day, 30),
    notifications_sent: count(es, "notification_sent"), notifications_delivered: delivered.length,
    notifications_opened: count(es, "notification_opened"), notifications_opted_out: count(es, "notification_opted_out"),
    delivered_opened: delivered.filter((e) => opened.has(e.event_id)).length,
    users_sent: recipients.size, users_sent_opted_out: [...recipients].filter((u) => optedOut.has(u)).length,
    notification_ctr: ratio(delivered.filter((e) => opened.has(e.event_id)).length, delivered.length),
    opt_out_rate: ratio([...recipients].filter((u) => optedOut.has(u)).length, recipients.size),
    listens: listens.length, listen_through_avg_pct: mean(listens),
  }];
}

export function expectedContent(events: Ev[], day: string, opts: KpiOptions = {}): Row[] {
  const cal = calendarOf(opts);
  const es = onDay(events, day, cal, "content");
  const hist = histories(events, day, "content", cal);
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

/** Cohort rows observed on `day` (cohort C, N = day - C), first activity over the given events up
 * to `day` (or over the computed days only, when they are given). */
export function expectedCohorts(events: Ev[], day: string, opts: KpiOptions & { computedDays?: string[] } = {}): Row[] {
  const activity = activityByDay(events, opts);
  const computed = opts.computedDays ? new Set(opts.computedDays) : undefined;
  const firstSeen = new Map<string, string>();
  for (const d of [...activity.keys()].sort()) {
    if (computed ? !computed.has(d) : d > day) continue;
    for (const u of activity.get(d)!) if (!firstSeen.has(u)) firstSeen.set(u, d);
  }
  const cohorts = new Map<string, string[]>();
  for (const [u, d] of firstSeen) if (d <= day) cohorts.set(d, [...(cohorts.get(d) ?? []), u]);
  const activeToday = activity.get(day) ?? new Set<string>();
  return [...cohorts.entries()]
    .filter(([c]) => c >= addDays(day, -365))
    .map(([c, users]) => {
      const retained = users.filter((u) => activeToday.has(u)).length;
      return {
        cohort_date: c, retention_day: daysApart(c, day), cohort_size: users.length,
        retained_users: retained, retention_rate: retained / users.length,
      };
    });
}

// KPI contract v2 end to end (docs/design.md §10): a month and a half of events in Africa/Cairo crossing
// the end of DST (2026-10-29 is a 25-hour local day), events minutes either side of local
// midnights, users whose only events on some days are not user-initiated, and late events for past
// days arriving between nightly runs. After the nightly runs every row and field of every metrics
// table equals the TypeScript computation from the events (expected-kpis.ts, which cuts local days
// with Intl, not the database's tz data), and a rebuild from scratch changes nothing.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateEvents } from "../../lib/generator/index.ts";
import type { GeneratedEvent } from "../../lib/generator/index.ts";
import { makeEvent } from "../../lib/generator/types.ts";
import { connect } from "../helpers/db.ts";
import { keepRawRetentionFrom } from "./fixtures.ts";
import { addDays, Calendar } from "./expected-kpis.ts";
import type { KpiOptions } from "./expected-kpis.ts";
import {
  cleanWindow, eachDay, expectRowsAsExpected, expectSameSnapshots, playWindow, snapshot, useTimeZone,
} from "./v2-window.ts";
import type { Snapshot } from "./v2-window.ts";

const sql = connect();
const ZONE = "Africa/Cairo";
const DST_END = "2026-10-29";
const DAYS = eachDay("2026-09-21", "2026-11-03");
const TODAY = addDays(DAYS.at(-1)!, 1);
const cairo = new Calendar(ZONE);
const OPTS: KpiOptions = { zone: ZONE, horizon: cairo.start(TODAY) };

/** An instant given as Cairo local wall time on a day (`hh:mm`, first occurrence). */
const local = (day: string, hhmm: string, offsetHours: 2 | 3) =>
  new Date(Date.parse(`${day}T${hhmm}:00.000Z`) - offsetHours * 3_600_000).toISOString();
const ev = (p: Omit<Parameters<typeof makeEvent>[0], "event_id">) => makeEvent({ event_id: randomUUID(), ...p });

const U = { early: randomUUID(), old: randomUUID(), night: randomUUID(), passive: randomUUID(), payer: randomUUID(), reader: randomUUID() };
const ORDER_LOOP = randomUUID();
const ORDER_40 = randomUUID();

/** Hand-made events at the edges: local midnights (EEST +3 before DST ends, EET +2 after). */
function edgeEvents(): GeneratedEvent[] {
  const listen = (at: string, user: string) => ev({
    event_domain: "content", event_type: "horoscope_listened", event_timestamp: at, entity_type: "horoscope",
    entity_id: "virgo-daily", user_id: user, metadata: { zodiac_sign: "virgo", listen_percent: 70 },
  });
  const pay = { event_domain: "payments" as const, entity_type: "payment", provider: "dstpay", country_code: "EG", currency: "EGP", amount_cents: 9900, user_id: U.payer };
  return [
    // Two minutes either side of local midnight, and the repeated hour of the DST change day.
    listen(local("2026-10-10", "23:58", 3), U.night),
    listen(local("2026-10-11", "00:02", 3), U.night),
    listen(local(DST_END, "23:30", 3), U.night), // 20:30Z, the first 23:30 of Oct 29
    listen(local(DST_END, "23:30", 2), U.night), // 21:30Z, the second 23:30, still Oct 29
    listen(local("2026-10-30", "00:01", 2), U.night), // 22:01Z: Oct 30
    // An attempt before local midnight answered by a success after it.
    ev({ ...pay, event_type: "payment_attempted", event_timestamp: local("2026-10-15", "23:59", 3), entity_id: "dst-pay-1" }),
    ev({ ...pay, event_type: "payment_succeeded", event_timestamp: local("2026-10-16", "00:01", 3), entity_id: "dst-pay-1" }),
    // A user who is only ever sent and delivered notifications: never active.
    ev({ event_domain: "notifications", event_type: "notification_sent", event_timestamp: local("2026-10-20", "10:00", 3), entity_type: "notification", entity_id: "dst-n-passive", user_id: U.passive }),
    ev({ event_domain: "notifications", event_type: "notification_delivered", event_timestamp: local("2026-10-20", "10:01", 3), entity_type: "notification", entity_id: "dst-n-passive", user_id: U.passive }),
    // Orders whose late events change later days.
    ev({ event_domain: "orders", event_type: "order_assigned", event_timestamp: local("2026-10-02", "09:00", 3), entity_type: "order", entity_id: ORDER_40, service_code: "tarot", metadata: { reader_id: U.reader } }),
    ev({ event_domain: "orders", event_type: "order_submitted", event_timestamp: local("2026-10-30", "09:00", 2), entity_type: "order", entity_id: ORDER_40, service_code: "tarot" }),
    ev({ event_domain: "orders", event_type: "order_approved", event_timestamp: local("2026-10-31", "09:00", 2), entity_type: "order", entity_id: ORDER_40, service_code: "tarot" }),
    ev({ event_domain: "orders", event_type: "order_completed", event_timestamp: local("2026-11-01", "10:00", 2), entity_type: "order", entity_id: ORDER_40, service_code: "tarot", user_id: U.old }),
    ev({ event_domain: "orders", event_type: "order_created", event_timestamp: local("2026-10-12", "08:00", 3), entity_type: "order", entity_id: ORDER_LOOP, service_code: "dream", user_id: U.payer }),
    ev({ event_domain: "orders", event_type: "order_assigned", event_timestamp: local("2026-10-12", "09:00", 3), entity_type: "order", entity_id: ORDER_LOOP, service_code: "dream", metadata: { reader_id: U.reader } }),
    ev({ event_domain: "orders", event_type: "order_submitted", event_timestamp: local("2026-10-13", "09:00", 3), entity_type: "order", entity_id: ORDER_LOOP, service_code: "dream" }),
    ev({ event_domain: "orders", event_type: "order_rejected", event_timestamp: local("2026-10-13", "12:00", 3), entity_type: "order", entity_id: ORDER_LOOP, service_code: "dream" }),
    ev({ event_domain: "orders", event_type: "order_submitted", event_timestamp: local("2026-10-16", "09:00", 3), entity_type: "order", entity_id: ORDER_LOOP, service_code: "dream" }),
    ev({ event_domain: "orders", event_type: "order_approved", event_timestamp: local("2026-10-17", "09:00", 3), entity_type: "order", entity_id: ORDER_LOOP, service_code: "dream" }),
    // The early user's first activity, until a late event moves it back.
    ev({ event_domain: "moderation", event_type: "content_flagged", event_timestamp: local("2026-10-22", "15:00", 3), entity_type: "review", entity_id: "dst-r-1", user_id: U.early }),
    ev({ event_domain: "notifications", event_type: "notification_sent", event_timestamp: local("2026-10-05", "07:00", 3), entity_type: "notification", entity_id: "dst-n-1", user_id: U.early }),
    ev({ event_domain: "notifications", event_type: "notification_delivered", event_timestamp: local("2026-10-05", "07:00", 3), entity_type: "notification", entity_id: "dst-n-1", user_id: U.early }),
    // Outcomes whose earlier event (the denominator, the upload) arrives late.
    ev({ event_domain: "notifications", event_type: "notification_opened", event_timestamp: local("2026-10-09", "08:00", 3), entity_type: "notification", entity_id: "dst-n-3", user_id: U.payer }),
    ev({ event_domain: "calls", event_type: "call_answered", event_timestamp: local("2026-10-11", "00:00", 3), entity_type: "call", entity_id: "dst-c-1", service_code: "tarot", provider: "dstcall", user_id: U.payer }),
    ev({ event_domain: "payments", event_type: "payment_attempted", event_timestamp: local("2026-10-12", "12:00", 3), entity_type: "payment", entity_id: "dst-pay-3", provider: "dstpay", country_code: "EG", currency: "EGP", amount_cents: 7000, user_id: U.payer }),
    ev({ event_domain: "payments", event_type: "refund_issued", event_timestamp: local("2026-10-14", "12:00", 3), entity_type: "payment", entity_id: "dst-pay-3", provider: "dstpay", country_code: "EG", currency: "EGP", amount_cents: 7000, user_id: U.payer }),
    ev({ event_domain: "content", event_type: "horoscope_approved", event_timestamp: local("2026-10-20", "10:00", 3), entity_type: "horoscope", entity_id: "dst-h-1", metadata: { zodiac_sign: "libra" } }),
    ev({ event_domain: "payments", event_type: "payment_attempted", event_timestamp: local("2026-10-18", "12:00", 3), entity_type: "payment", entity_id: "dst-pay-2", provider: "dstpay", country_code: "EG", currency: "EGP", amount_cents: 5000, user_id: U.early }),
    ev({ event_domain: "payments", event_type: "payment_succeeded", event_timestamp: local("2026-10-18", "12:01", 3), entity_type: "payment", entity_id: "dst-pay-2", provider: "dstpay", country_code: "EG", currency: "EGP", amount_cents: 5000, user_id: U.early }),
  ];
}

/** Late events for past days, by the day after whose nightly run they arrive. */
function lateEvents(): Map<string, GeneratedEvent[]> {
  return new Map([
    ["2026-10-25", [
      // Activity 17 days before the early user's first: moves their first-seen day and cohort.
      ev({ event_domain: "content", event_type: "horoscope_listened", event_timestamp: local("2026-10-05", "23:50", 3), entity_type: "horoscope", entity_id: "leo-daily", user_id: U.early, metadata: { zodiac_sign: "leo", listen_percent: 15 } }),
      // A refund three days after its payment (the payment's day's refund rate).
      ev({ event_domain: "payments", event_type: "refund_issued", event_timestamp: local("2026-10-21", "11:00", 3), entity_type: "payment", entity_id: "dst-pay-2", provider: "dstpay", country_code: "EG", currency: "EGP", amount_cents: 5000, user_id: U.early }),
      // An open the day after its delivery (the delivery's day's click-through rate).
      ev({ event_domain: "notifications", event_type: "notification_opened", event_timestamp: local("2026-10-06", "08:00", 3), entity_type: "notification", entity_id: "dst-n-1", user_id: U.early }),
      ev({ event_domain: "notifications", event_type: "notification_delivered", event_timestamp: local("2026-10-08", "21:00", 3), entity_type: "notification", entity_id: "dst-n-3", user_id: U.payer }),
      ev({ event_domain: "calls", event_type: "call_started", event_timestamp: local("2026-10-10", "23:59", 3), entity_type: "call", entity_id: "dst-c-1", service_code: "tarot", provider: "dstcall", user_id: U.payer }),
      ev({ event_domain: "payments", event_type: "payment_succeeded", event_timestamp: local("2026-10-12", "12:01", 3), entity_type: "payment", entity_id: "dst-pay-3", provider: "dstpay", country_code: "EG", currency: "EGP", amount_cents: 7000, user_id: U.payer }),
      ev({ event_domain: "content", event_type: "horoscope_uploaded", event_timestamp: local("2026-10-19", "22:00", 3), entity_type: "horoscope", entity_id: "dst-h-1", metadata: { zodiac_sign: "libra" } }),
      // A second rejection before the approval: the approval's day now has a rejection loop.
      ev({ event_domain: "orders", event_type: "order_rejected", event_timestamp: local("2026-10-14", "10:00", 3), entity_type: "order", entity_id: ORDER_LOOP, service_code: "dream" }),
    ]],
    [DAYS.at(-1)!, [
      // The order completed on 11-01 was created 40 days earlier (time to delivery of 40 days and 2 hours).
      ev({ event_domain: "orders", event_type: "order_created", event_timestamp: local("2026-09-22", "09:00", 3), entity_type: "order", entity_id: ORDER_40, service_code: "tarot", user_id: U.old }),
      ev({ event_domain: "orders", event_type: "order_created", event_timestamp: local("2026-09-24", "00:30", 3), entity_type: "order", entity_id: randomUUID(), service_code: "tarot", user_id: U.old }),
      // The night user opts out on the DST change day after being sent notifications before.
      ev({ event_domain: "notifications", event_type: "notification_opted_out", event_timestamp: local(DST_END, "23:45", 2), entity_type: "notification", entity_id: "dst-n-2", user_id: U.night }),
    ]],
  ]);
}

let events: GeneratedEvent[] = [];
let restoreRetention = async () => {};
let afterNightly: Snapshot;

beforeAll(async () => {
  restoreRetention = await keepRawRetentionFrom(sql, DAYS[0]);
  const generated = generateEvents({ days: 43, eventsPerDay: 150, seed: 20261029, endDate: "2026-11-02" });
  const late = lateEvents();
  const extra = [ev({ event_domain: "notifications", event_type: "notification_sent", event_timestamp: local("2026-10-27", "12:00", 3), entity_type: "notification", entity_id: "dst-n-2", user_id: U.night })];
  const onTime = [...generated, ...edgeEvents(), ...extra];
  events = [...onTime, ...[...late.values()].flat()];
  await cleanWindow(sql, DAYS);
  await useTimeZone(sql, ZONE);
  await playWindow(sql, DAYS, onTime, late);
  afterNightly = await snapshot(sql, DAYS);
}, 300_000);

afterAll(async () => {
  await useTimeZone(sql, "UTC");
  await cleanWindow(sql, DAYS);
  await restoreRetention();
  await sql.end();
});

describe("KPI v2 in Africa/Cairo across the end of DST, with late events", () => {
  it("uses a real DST change of this machine's tz data (a 25-hour local day, in Postgres and in Intl)", async () => {
    const [{ hours }] = await sql<{ hours: number }[]>`
      select extract(epoch from (('2026-10-30'::date)::timestamp at time zone ${ZONE}) - (('2026-10-29'::date)::timestamp at time zone ${ZONE}))::int / 3600 as hours`;
    expect(hours).toBe(25);
    expect((cairo.start("2026-10-30") - cairo.start(DST_END)) / 3_600_000).toBe(25);
    expect((cairo.start("2026-10-29") - cairo.start("2026-10-28")) / 3_600_000).toBe(24);
  });

  it("records the zone of every computed day", async () => {
    const zones = await sql<{ time_zone: string; n: number }[]>`
      select time_zone, count(*)::int as n from analytics.etl_days where metric_date = any(${DAYS}::date[]) group by time_zone`;
    expect(zones).toEqual([{ time_zone: ZONE, n: DAYS.length }]);
  });

  it("after the nightly runs, every row and field equals the independent computation from the events", () => {
    expectRowsAsExpected(afterNightly, events, DAYS, OPTS);
  });

  it("took in each late event (hand-checked)", async () => {
    const [{ first }] = await sql<{ first: string }[]>`select first_seen_date::text as first from analytics.user_first_seen where user_id = ${U.early}`;
    expect(first).toBe("2026-10-05"); // was 10-18 until the late listen of 10-05
    const links = await sql<{ share: string; target: string; source: string }[]>`
      select share, target_day::text as target, source_day::text as source from analytics.etl_share_links
      where entity_id in ('dst-n-1', 'dst-n-3', 'dst-c-1', 'dst-pay-1', 'dst-pay-2', 'dst-pay-3') order by share, target_day`;
    expect(links).toEqual([
      { share: "answer", target: "2026-10-10", source: "2026-10-11" },
      { share: "ctr", target: "2026-10-05", source: "2026-10-06" },
      { share: "ctr", target: "2026-10-08", source: "2026-10-09" },
      { share: "refund", target: "2026-10-12", source: "2026-10-14" },
      { share: "refund", target: "2026-10-18", source: "2026-10-21" },
      { share: "success", target: "2026-10-15", source: "2026-10-16" },
    ]);
    const content = afterNightly.get("metrics_daily_content 2026-10-20")![0];
    expect(content.approval_latency_avg_s).not.toBeNull();
    const optOut = await sql<{ target: string }[]>`select target_day::text as target from analytics.etl_opt_out_links where user_id = ${U.night}`;
    expect(optOut).toEqual([{ target: "2026-10-27" }]);
    expect(afterNightly.get("metrics_daily_payments 2026-10-18")!.find((r) => r.provider === "dstpay")).toMatchObject({ successes: 1, refund_rate: 1 });
    const loop = afterNightly.get("metrics_daily_fulfillment 2026-10-17")!.find((r) => r.service_code === "dream" && r.reader_id === U.reader)!;
    expect(loop).toMatchObject({ approvals: 1, rejection_loop_rate: 1 });
    const forty = afterNightly.get("metrics_daily_fulfillment 2026-11-01")!.find((r) => r.service_code === "tarot" && r.reader_id === U.reader)!;
    expect(forty.ttf_delivery_avg_s).toBe(40 * 86_400 + 2 * 3_600);
  });

  it("equals a rebuild from scratch, row for row", async () => {
    const rebuilt = await sql<{ d: string; status: string }[]>`
      select metric_date::text as d, status from analytics.rebuild_metrics(${DAYS[0]}::date, ${DAYS.at(-1)!}::date, ${TODAY}::date)`;
    expect(rebuilt.map((r) => r.d)).toEqual(DAYS);
    expect(rebuilt.every((r) => r.status === "succeeded")).toBe(true);
    expectSameSnapshots(await snapshot(sql, DAYS), afterNightly);
  });
});

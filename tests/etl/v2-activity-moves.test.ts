// A recomputed day loses the activity that no longer belongs to it (docs/design.md §10.2, §10.3):
// after a change of the reporting zone, a user whose only user-initiated event falls on another
// local day is active on that day only, their first-seen day moves with it, and DAU follows.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeEvent } from "../../lib/generator/types.ts";
import type { GeneratedEvent } from "../../lib/generator/types.ts";
import { connect } from "../helpers/db.ts";
import { cleanupDays, loadEvents, metricRows, runPipeline } from "./fixtures.ts";
import { useTimeZone } from "./v2-window.ts";

const sql = connect();
// Two days well within raw retention (a day's activity is replaced only while all its events are stored).
const dayBefore = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
const DAYS = [dayBefore(20), dayBefore(19)];
const NIGHT_OWL = randomUUID(); // acts at 22:30Z on the first day: that day in UTC, the next (01:30) in Riyadh
const DAY_USER = randomUUID(); // acts at noon UTC on the first day: that day in both zones
const TWO_DAYS = randomUUID(); // acts at 22:30Z on the first day and at noon UTC on the second
const BACK = randomUUID(); // acts at noon UTC on the first day and at 22:30Z on the second (in Riyadh, the uncomputed third)
const NAMES: Record<string, string> = { [NIGHT_OWL]: "owl", [DAY_USER]: "day", [TWO_DAYS]: "two", [BACK]: "back" };
const USERS = Object.keys(NAMES);
let events: GeneratedEvent[] = [];

const activity = async () =>
  (await sql<{ user_id: string; d: string }[]>`
    select user_id::text, activity_date::text as d from analytics.user_daily_activity
    where user_id = any(${USERS}::uuid[])`).map((r) => `${NAMES[r.user_id]} ${r.d}`).sort();
const firstSeen = async (user: string) =>
  (await sql<{ d: string }[]>`select first_seen_date::text as d from analytics.user_first_seen where user_id = ${user}`)[0]?.d;
// Each user's first and last day as stored, against those of their stored activity.
const seenDays = async () =>
  (await sql<{ user_id: string; first: string; last: string }[]>`
    select user_id::text, first_seen_date::text as first, last_seen_date::text as last from analytics.user_first_seen
    where user_id = any(${USERS}::uuid[])`).map((r) => `${NAMES[r.user_id]} ${r.first}..${r.last}`).sort();
const activitySpans = async () =>
  (await sql<{ user_id: string; first: string; last: string }[]>`
    select user_id::text, min(activity_date)::text as first, max(activity_date)::text as last from analytics.user_daily_activity
    where user_id = any(${USERS}::uuid[]) group by user_id`).map((r) => `${NAMES[r.user_id]} ${r.first}..${r.last}`).sort();
const dau = async (day: string) => (await metricRows(sql, "metrics_daily_engagement", day))[0].dau;

beforeAll(async () => {
  const ev = (p: Omit<Parameters<typeof makeEvent>[0], "event_id">) => makeEvent({ event_id: randomUUID(), ...p });
  events = [
    ev({ event_domain: "orders", event_type: "order_created", event_timestamp: `${DAYS[0]}T22:30:00.000Z`, entity_type: "order", entity_id: randomUUID(), service_code: "tarot", user_id: NIGHT_OWL }),
    // Not user-initiated: never makes anyone active.
    ev({ event_domain: "notifications", event_type: "notification_sent", event_timestamp: `${DAYS[0]}T10:00:00.000Z`, entity_type: "notification", entity_id: "moves-n-1", user_id: NIGHT_OWL }),
    ev({ event_domain: "calls", event_type: "call_started", event_timestamp: `${DAYS[0]}T12:00:00.000Z`, entity_type: "call", entity_id: "moves-c-1", service_code: "tarot", provider: "movescall", user_id: DAY_USER }),
    ev({ event_domain: "orders", event_type: "order_created", event_timestamp: `${DAYS[0]}T22:30:00.000Z`, entity_type: "order", entity_id: randomUUID(), service_code: "tarot", user_id: TWO_DAYS }),
    ev({ event_domain: "calls", event_type: "call_started", event_timestamp: `${DAYS[1]}T12:00:00.000Z`, entity_type: "call", entity_id: "moves-c-2", service_code: "tarot", provider: "movescall", user_id: TWO_DAYS }),
    ev({ event_domain: "calls", event_type: "call_started", event_timestamp: `${DAYS[0]}T12:00:00.000Z`, entity_type: "call", entity_id: "moves-c-3", service_code: "tarot", provider: "movescall", user_id: BACK }),
    ev({ event_domain: "orders", event_type: "order_created", event_timestamp: `${DAYS[1]}T22:30:00.000Z`, entity_type: "order", entity_id: randomUUID(), service_code: "tarot", user_id: BACK }),
  ];
  await useTimeZone(sql, "UTC");
  await cleanupDays(sql, DAYS, events.map((e) => e.event_id));
  await sql`delete from analytics.user_daily_activity where user_id = any(${USERS}::uuid[])`;
  await loadEvents(sql, events);
  for (const day of DAYS) expect(await runPipeline(sql, day)).toBe("succeeded");
});

afterAll(async () => {
  await useTimeZone(sql, "UTC");
  await cleanupDays(sql, DAYS, events.map((e) => e.event_id));
  await sql`delete from analytics.user_daily_activity where user_id = any(${USERS}::uuid[])`;
  await sql`delete from analytics.user_first_seen where user_id = any(${USERS}::uuid[])`;
  await sql.end();
});

describe("activity that moves to another local day", () => {
  it("in UTC: the four users active on the first day", async () => {
    expect(await activity()).toEqual([`back ${DAYS[0]}`, `back ${DAYS[1]}`, `day ${DAYS[0]}`, `owl ${DAYS[0]}`, `two ${DAYS[0]}`, `two ${DAYS[1]}`]);
    expect(await seenDays()).toEqual([`back ${DAYS[0]}..${DAYS[1]}`, `day ${DAYS[0]}..${DAYS[0]}`, `owl ${DAYS[0]}..${DAYS[0]}`, `two ${DAYS[0]}..${DAYS[1]}`]);
    expect(await seenDays()).toEqual(await activitySpans());
    expect([await dau(DAYS[0]), await dau(DAYS[1])]).toEqual([4, 2]);
  });

  it("in Asia/Riyadh, recomputed: the night owl's activity, first-seen day and DAU move to the next day", async () => {
    await useTimeZone(sql, "Asia/Riyadh");
    expect(await runPipeline(sql, DAYS[0])).toBe("succeeded");
    // The first day recomputed alone: the user also active on the second keeps that one as first
    // day; the night owl, with no other day yet, has none.
    expect(await activity()).toEqual([`back ${DAYS[0]}`, `back ${DAYS[1]}`, `day ${DAYS[0]}`, `two ${DAYS[1]}`]);
    expect(await firstSeen(TWO_DAYS)).toBe(DAYS[1]);
    expect(await firstSeen(NIGHT_OWL)).toBeUndefined();
    expect(await seenDays()).toEqual(await activitySpans());
    // The second day recomputed: its late-evening user now acts on the (uncomputed) third, so their
    // last day goes back to the first.
    expect(await runPipeline(sql, DAYS[1])).toBe("succeeded");
    expect(await activity()).toEqual([`back ${DAYS[0]}`, `day ${DAYS[0]}`, `owl ${DAYS[1]}`, `two ${DAYS[1]}`]);
    expect(await seenDays()).toEqual([`back ${DAYS[0]}..${DAYS[0]}`, `day ${DAYS[0]}..${DAYS[0]}`, `owl ${DAYS[1]}..${DAYS[1]}`, `two ${DAYS[1]}..${DAYS[1]}`]);
    expect(await seenDays()).toEqual(await activitySpans());
    expect([await dau(DAYS[0]), await dau(DAYS[1])]).toEqual([2, 2]);
  });
});

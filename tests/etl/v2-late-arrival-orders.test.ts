// Nightly equals rebuild, property-style (docs/design.md §10.3): the same events arrive in different
// random orders (a random share of them late, each after the nightly run of a random day at or
// after its own), and whatever the order, the metrics after the nightly runs equal a rebuild from
// scratch and the independent TypeScript computation, row for row. With many late events every
// day is recomputed again and again; with few, what a late event changes on days that receive
// nothing themselves (links, rates, WAU/MAU, cohorts, later order days) must be found.
import { afterAll, beforeAll, describe, it } from "vitest";
import { generateEvents } from "../../lib/generator/index.ts";
import type { GeneratedEvent } from "../../lib/generator/index.ts";
import { createRng } from "../../lib/generator/rng.ts";
import { connect } from "../helpers/db.ts";
import { keepRawRetentionFrom } from "./fixtures.ts";
import { addDays, Calendar } from "./expected-kpis.ts";
import {
  cleanWindow, eachDay, expectRowsAsExpected, expectSameSnapshots, playWindow, snapshot, useTimeZone,
} from "./v2-window.ts";

const sql = connect();
const ZONE = "Asia/Riyadh";
const DAYS = eachDay("2026-09-10", "2026-09-21");
const TODAY = addDays(DAYS.at(-1)!, 1);
const riyadh = new Calendar(ZONE);
let events: GeneratedEvent[] = [];
let restoreRetention = async () => {};

beforeAll(async () => {
  restoreRetention = await keepRawRetentionFrom(sql, DAYS[0]);
  // UTC days 09-10..09-20: in Riyadh (UTC+3) they end on 09-21 at 03:00.
  events = generateEvents({ days: 11, eventsPerDay: 600, seed: 910, endDate: "2026-09-20" });
  await useTimeZone(sql, ZONE);
});

afterAll(async () => {
  await useTimeZone(sql, "UTC");
  await cleanWindow(sql, DAYS);
  await restoreRetention();
  await sql.end();
});

/** A random share of the events of `lateDays` random days (all days: 0) arrive late, each after the
 * nightly run of a random day at or after its own. */
function arrivalOrder(seed: number, lateShare: number, lateDays: number) {
  const rng = createRng(seed);
  const eligible = new Set(lateDays === 0 ? DAYS : Array.from({ length: lateDays }, () => DAYS[rng.int(0, DAYS.length - 2)]));
  const onTime: GeneratedEvent[] = [];
  const arrivals = new Map<string, GeneratedEvent[]>();
  for (const e of events) {
    const own = riyadh.dateOf(Date.parse(e.event_timestamp));
    if (!eligible.has(own) || !rng.chance(lateShare)) {
      onTime.push(e);
      continue;
    }
    const later = DAYS.filter((d) => d >= own);
    const day = later[rng.int(0, later.length - 1)];
    arrivals.set(day, [...(arrivals.get(day) ?? []), e]);
  }
  return { onTime, arrivals };
}

describe("random late-arrival orders of the same events", () => {
  it.each([[1, 1 / 3, 0], [2, 0.3, 2], [3, 0.5, 1], [4, 0.2, 3]])(
    "order %i (late: share %d of the events of %i random days, 0 = all): the nightly results equal a rebuild and the independent computation",
    async (seed, lateShare, lateDays) => {
    const { onTime, arrivals } = arrivalOrder(seed, lateShare, lateDays);
    await cleanWindow(sql, DAYS);
    await playWindow(sql, DAYS, onTime, arrivals);
    const afterNightly = await snapshot(sql, DAYS);
    expectRowsAsExpected(afterNightly, events, DAYS, { zone: ZONE, horizon: riyadh.start(TODAY) });
    await sql`select * from analytics.rebuild_metrics(${DAYS[0]}::date, ${DAYS.at(-1)!}::date, ${TODAY}::date)`;
    expectSameSnapshots(await snapshot(sql, DAYS), afterNightly);
    }, 180_000);
});

// Synthetic SAMIA-TAROT events: realistic lifecycles for every domain, deterministic per seed.
// The library behind `npm run generate`, `npm start`'s demo data, the ETL tests and the benchmarks.
import { createDayContext, createUsers, DAY_MS } from "./context.ts";
import type { DayContext } from "./context.ts";
import { createRng, seedOf } from "./rng.ts";
import { orderLifecycle } from "./orders.ts";
import { paymentLifecycle } from "./payments.ts";
import { callLifecycle } from "./calls.ts";
import { notificationLifecycle } from "./notifications.ts";
import { horoscopeLifecycles, listen } from "./content.ts";
import { moderationLifecycle } from "./moderation.ts";
import type { GeneratedEvent } from "./types.ts";

export type { GeneratedEvent } from "./types.ts";
export { copyEvents } from "./load.ts";

export type GenerateOptions = {
  days: number;
  eventsPerDay: number;
  seed: number;
  /** Last generated UTC day, YYYY-MM-DD; default yesterday. */
  endDate?: string;
  /** Reader ids that must be in the reader pool (e.g. the demo reader). */
  readers?: string[];
};

/** Share of the day's events per lifecycle kind and the mean events one lifecycle emits. */
const MIX: { share: number; perLifecycle: number; run: (ctx: DayContext, t0: number) => void }[] = [
  { share: 0.3, perLifecycle: 6, run: orderLifecycle },
  { share: 0.15, perLifecycle: 2.3, run: paymentLifecycle },
  { share: 0.15, perLifecycle: 2.6, run: callLifecycle },
  { share: 0.2, perLifecycle: 2.2, run: notificationLifecycle },
  { share: 0.17, perLifecycle: 1, run: listen },
  { share: 0.03, perLifecycle: 2.1, run: moderationLifecycle },
];

export function yesterdayUtc(): string {
  return new Date(Date.now() - DAY_MS).toISOString().slice(0, 10);
}

/** The first generated day, YYYY-MM-DD. */
export function windowStartDate(opts: GenerateOptions): string {
  const end = Date.parse(`${opts.endDate ?? yesterdayUtc()}T00:00:00Z`);
  return new Date(end - (opts.days - 1) * DAY_MS).toISOString().slice(0, 10);
}

/** Yields the events of each generated day's lifecycles (events after the window are dropped). */
export function* generateDays(opts: GenerateOptions): Generator<{ day: string; events: GeneratedEvent[] }> {
  if (!(opts.days >= 1 && opts.eventsPerDay >= 1)) throw new Error("days and eventsPerDay must be >= 1");
  if (opts.endDate !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(opts.endDate)) throw new Error("endDate must be YYYY-MM-DD");
  const windowStart = Date.parse(`${windowStartDate(opts)}T00:00:00Z`);
  const windowEnd = windowStart + opts.days * DAY_MS;
  const users = createUsers(opts.seed, opts.days, Math.max(30, Math.round(opts.eventsPerDay / 5)));
  const readerRng = createRng(seedOf(opts.seed, 0x4ead));
  const readers = [...(opts.readers ?? [])];
  const readerCount = Math.max(3, Math.round(Math.sqrt(opts.eventsPerDay) / 4));
  while (readers.length < readerCount) readers.push(readerRng.uuid());

  for (let d = 0; d < opts.days; d++) {
    const dayStart = windowStart + d * DAY_MS;
    const ctx = createDayContext({ seed: opts.seed, dayIndex: d, dayStart, windowStart, windowEnd, users, readers });
    horoscopeLifecycles(ctx);
    for (const kind of MIX) {
      const n = Math.max(1, Math.round((opts.eventsPerDay * kind.share) / kind.perLifecycle));
      for (let i = 0; i < n; i++) kind.run(ctx, dayStart + ctx.rng.int(0, DAY_MS - 1));
    }
    yield { day: new Date(dayStart).toISOString().slice(0, 10), events: ctx.events };
  }
}

/** All events of the window in one array (small windows: tests, demo data). */
export function generateEvents(opts: GenerateOptions): GeneratedEvent[] {
  const all: GeneratedEvent[] = [];
  for (const { events } of generateDays(opts)) for (const e of events) all.push(e);
  return all;
}

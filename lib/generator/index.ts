// Synthetic SAMIA-TAROT events: realistic lifecycles for every domain, deterministic per seed.
// The library behind `npm run generate`, `npm start`'s demo data, the ETL tests and the benchmarks;
// the ingest benchmark shapes its workload with the options below (user pool, domain mix, exact
// count, a user on every event, shuffled).
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
import { newEventId } from "../../client/event-id.ts";

export type { GeneratedEvent } from "./types.ts";
export { copyEvents } from "./load.ts";

type Domain = GeneratedEvent["event_domain"];

export type GenerateOptions = {
  days: number;
  /** Events a day: planned from each lifecycle's typical length, or exactly with `exact`. */
  eventsPerDay: number;
  seed: number;
  /** Last generated UTC day, YYYY-MM-DD; default yesterday. */
  endDate?: string;
  /** Reader ids that must be in the reader pool (e.g. the demo reader). */
  readers?: string[];
  /** Size of the user pool; default one user per five events a day (at least 30). */
  users?: number;
  /** Each domain's share of the events (normalised; a domain left out gets none); default DEFAULT_MIX. */
  mix?: Partial<Record<Domain, number>>;
  /**
   * Exactly `eventsPerDay` events a day (days × eventsPerDay in all) with the domains in their
   * shares: lifecycles run until the day has its events, the last one cut short. Without it,
   * lifecycles that run past the window's end lose their later events, long ones (orders) most.
   */
  exact?: boolean;
  /** Events no user takes part in (a reader's or moderator's step, an editorial upload) get a user from the pool too. */
  userOnEveryEvent?: boolean;
  /**
   * Each day's events in random order rather than lifecycle by lifecycle: any run of them (a batch)
   * holds as many users as independent events would, as from many clients at once.
   */
  shuffle?: boolean;
  /**
   * "seeded" (default): version-4 ids drawn from the seed, so a seed gives the same events every
   * time. "emitter": fresh ids from the emitters' source (client/event-id.ts, UUIDv7), in output
   * order, as an emitter gives them as it sends: what the ingest benchmarks send.
   */
  eventIds?: "seeded" | "emitter";
};

type Lifecycle = (ctx: DayContext, t0: number) => void;

/** Each domain's lifecycle and the mean events one emits (content: a listen; the editorial horoscopes run once a day). */
const LIFECYCLES: Record<Domain, { perLifecycle: number; run: Lifecycle }> = {
  orders: { perLifecycle: 6, run: orderLifecycle },
  payments: { perLifecycle: 2.3, run: paymentLifecycle },
  calls: { perLifecycle: 2.6, run: callLifecycle },
  notifications: { perLifecycle: 2.2, run: notificationLifecycle },
  content: { perLifecycle: 1, run: listen },
  moderation: { perLifecycle: 2.1, run: moderationLifecycle },
};

const DEFAULT_MIX: Record<Domain, number> = { orders: 0.3, payments: 0.15, calls: 0.15, notifications: 0.2, content: 0.17, moderation: 0.03 };

export function yesterdayUtc(): string {
  return new Date(Date.now() - DAY_MS).toISOString().slice(0, 10);
}

/** The first generated day, YYYY-MM-DD. */
export function windowStartDate(opts: GenerateOptions): string {
  const end = Date.parse(`${opts.endDate ?? yesterdayUtc()}T00:00:00Z`);
  return new Date(end - (opts.days - 1) * DAY_MS).toISOString().slice(0, 10);
}

/** The mix as shares summing to 1, domains in LIFECYCLES order. */
function sharesOf(mix: Partial<Record<Domain, number>>): [Domain, number][] {
  const known = Object.keys(LIFECYCLES) as Domain[];
  const unknown = Object.keys(mix).filter((d) => !known.includes(d as Domain));
  if (unknown.length) throw new Error(`mix: unknown domain ${unknown.join(", ")}`);
  const weights = known.map((d) => [d, mix[d] ?? 0] as [Domain, number]);
  if (!weights.every(([, w]) => Number.isFinite(w) && w >= 0)) throw new Error("mix: shares must be finite and >= 0");
  const total = weights.reduce((s, [, w]) => s + w, 0);
  if (!(total > 0)) throw new Error("mix: at least one share must be > 0");
  return weights.map(([d, w]) => [d, w / total]);
}

/** Runs lifecycles of the domain furthest below its share until the day has `quota` events. */
function runExactly(ctx: DayContext, quota: number, shares: [Domain, number][]): void {
  const counts = new Map<string, number>();
  let counted = 0;
  const tally = () => {
    for (; counted < ctx.events.length; counted++) {
      const d = ctx.events[counted].event_domain;
      counts.set(d, (counts.get(d) ?? 0) + 1);
    }
  };
  tally();
  while (ctx.events.length < quota) {
    let next: Domain = shares[0][0];
    let gap = -Infinity;
    for (const [d, share] of shares) {
      const g = share * (ctx.events.length + 1) - (counts.get(d) ?? 0);
      if (share > 0 && g > gap) [next, gap] = [d, g];
    }
    // A lifecycle's first event is at t0, inside the day: every run adds at least one event.
    LIFECYCLES[next].run(ctx, ctx.dayStart + ctx.rng.int(0, DAY_MS - 1));
    tally();
  }
  ctx.events.length = quota;
}

/** Yields the events of each generated day's lifecycles (events after the window are dropped). */
export function* generateDays(opts: GenerateOptions): Generator<{ day: string; events: GeneratedEvent[] }> {
  if (!(opts.days >= 1 && opts.eventsPerDay >= 1)) throw new Error("days and eventsPerDay must be >= 1");
  if (opts.endDate !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(opts.endDate)) throw new Error("endDate must be YYYY-MM-DD");
  if (opts.users !== undefined && !(Number.isInteger(opts.users) && opts.users >= 1)) throw new Error("users must be an integer >= 1");
  if (opts.exact && !Number.isInteger(opts.eventsPerDay)) throw new Error("eventsPerDay must be an integer with exact");
  const shares = opts.mix ? sharesOf(opts.mix) : (Object.entries(DEFAULT_MIX) as [Domain, number][]);
  const windowStart = Date.parse(`${windowStartDate(opts)}T00:00:00Z`);
  const windowEnd = windowStart + opts.days * DAY_MS;
  const users = createUsers(opts.seed, opts.days, opts.users ?? Math.max(30, Math.round(opts.eventsPerDay / 5)));
  const readerRng = createRng(seedOf(opts.seed, 0x4ead));
  const readers = [...(opts.readers ?? [])];
  const readerCount = Math.max(3, Math.round(Math.sqrt(opts.eventsPerDay) / 4));
  while (readers.length < readerCount) readers.push(readerRng.uuid());

  for (let d = 0; d < opts.days; d++) {
    const dayStart = windowStart + d * DAY_MS;
    const ctx = createDayContext({ seed: opts.seed, dayIndex: d, dayStart, windowStart, windowEnd, users, readers });
    if (shares.some(([domain, share]) => domain === "content" && share > 0)) horoscopeLifecycles(ctx);
    if (opts.exact) runExactly(ctx, opts.eventsPerDay, shares);
    else {
      for (const [domain, share] of shares) {
        const { perLifecycle, run } = LIFECYCLES[domain];
        const n = Math.max(share > 0 ? 1 : 0, Math.round((opts.eventsPerDay * share) / perLifecycle));
        for (let i = 0; i < n; i++) run(ctx, dayStart + ctx.rng.int(0, DAY_MS - 1));
      }
    }
    const events = ctx.events;
    if (opts.userOnEveryEvent) {
      // Its own stream, so the lifecycles' draws (and the default output) stay as they are.
      const rng = createRng(seedOf(opts.seed, 0xa77, d + 1));
      for (const e of events) e.user_id ??= users.randomJoined(rng, d);
    }
    if (opts.shuffle) {
      const rng = createRng(seedOf(opts.seed, 0x5f1e, d + 1));
      for (let i = events.length - 1; i > 0; i--) {
        const j = rng.int(0, i);
        [events[i], events[j]] = [events[j], events[i]];
      }
    }
    if (opts.eventIds === "emitter") for (const e of events) e.event_id = newEventId();
    yield { day: new Date(dayStart).toISOString().slice(0, 10), events };
  }
}

/** The window's events one at a time; only one day's are held in memory (large workloads). */
export function* streamEvents(opts: GenerateOptions): Generator<GeneratedEvent> {
  for (const { events } of generateDays(opts)) yield* events;
}

/** All events of the window in one array (small windows: tests, demo data). */
export function generateEvents(opts: GenerateOptions): GeneratedEvent[] {
  return [...streamEvents(opts)];
}

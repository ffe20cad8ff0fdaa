// What every lifecycle generator gets: the day's RNG, the user and reader pools, and an emitter that
// assigns event ids and keeps only events inside the generated window.
import { createRng, seedOf } from "./rng.ts";
import type { Rng } from "./rng.ts";
import { DAY_MS, makeEvent } from "./types.ts";
import type { GeneratedEvent } from "./types.ts";

export type Users = {
  /** Users whose first activity is on this day (they each get at least one user-initiated event that day). */
  joiningOn(dayIndex: number): string[];
  /** Any user who has joined by this day. */
  randomJoined(rng: Rng, dayIndex: number): string;
};

/** A user pool whose join days spread over the window; a third of it is active from day 0. */
export function createUsers(seed: number, days: number, count: number): Users {
  const rng = createRng(seedOf(seed, 0x05e2));
  const joined: { id: string; day: number }[] = [];
  for (let i = 0; i < count; i++) {
    joined.push({ id: rng.uuid(), day: rng.chance(0.33) ? 0 : rng.int(0, days - 1) });
  }
  joined.sort((a, b) => a.day - b.day);
  const firstAfter: number[] = [];
  for (let d = 0, i = 0; d <= days; d++) {
    while (i < joined.length && joined[i].day < d) i++;
    firstAfter[d] = i; // index of the first user joining on day >= d
  }
  return {
    joiningOn: (d) => joined.slice(firstAfter[d], firstAfter[d + 1]).map((u) => u.id),
    randomJoined: (r, d) => joined[Math.floor(r.next() * Math.max(1, firstAfter[d + 1]))].id,
  };
}

export type DayContext = {
  rng: Rng;
  dayIndex: number;
  /** 00:00 UTC of the day, epoch ms. */
  dayStart: number;
  readers: readonly string[];
  /** The user of a lifecycle the user starts (a newcomer of the day first, then anyone joined). */
  user(): string;
  /** Anyone joined by this day: for lifecycles the system starts (notifications), which make nobody active. */
  member(): string;
  emit(at: number, e: Omit<GeneratedEvent, "event_id" | "event_timestamp" | keyof Defaults> & Partial<Defaults>): void;
  events: GeneratedEvent[];
};
type Defaults = Omit<GeneratedEvent, "event_id" | "event_domain" | "event_type" | "event_timestamp">;

export function createDayContext(opts: {
  seed: number; dayIndex: number; dayStart: number; windowStart: number; windowEnd: number;
  users: Users; readers: readonly string[];
}): DayContext {
  const rng = createRng(seedOf(opts.seed, opts.dayIndex + 1));
  const newcomers = opts.users.joiningOn(opts.dayIndex);
  const events: GeneratedEvent[] = [];
  return {
    rng,
    dayIndex: opts.dayIndex,
    dayStart: opts.dayStart,
    readers: opts.readers,
    user: () => newcomers.pop() ?? opts.users.randomJoined(rng, opts.dayIndex),
    member: () => opts.users.randomJoined(rng, opts.dayIndex),
    events,
    emit(at, e) {
      const eventId = rng.uuid(); // drawn even when clipped, so the sequence does not depend on the window
      const ms = Math.round(at);
      if (ms < opts.windowStart || ms >= opts.windowEnd) return;
      events.push(makeEvent({ ...e, event_id: eventId, event_timestamp: new Date(ms).toISOString() }));
    },
  };
}

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export { DAY_MS };

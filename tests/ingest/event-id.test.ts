// The emitters' event ids (client/event-id.ts): RFC 9562 UUIDv7, strictly increasing within a
// source even within one millisecond, unique under a tight loop; and the function still stores
// events whose ids are any other valid uuid version.
import { describe, expect, it } from "vitest";
import { createEventIdGenerator, newEventId } from "../../client/event-id.ts";
import { buildEvent } from "../../client/event-catalog.ts";
import { generateEvents } from "../../lib/generator/index.ts";
import { countRows, ingestTestContext, postIngest, sampleEvent } from "./events.ts";

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const msOf = (id: string) => parseInt(id.replace(/-/g, "").slice(0, 12), 16);
const counterOf = (id: string) => {
  const hex = id.replace(/-/g, "");
  return parseInt(hex.slice(13, 16), 16) * 2 ** 30 + (parseInt(hex.slice(16, 24), 16) & 0x3fffffff);
};
const random = (n: number) => crypto.getRandomValues(new Uint8Array(n));

describe("newEventId", () => {
  it("is a UUIDv7 (version 7, variant 10) carrying the current Unix milliseconds", () => {
    const before = Date.now();
    const id = newEventId();
    const after = Date.now();
    expect(id).toMatch(V7);
    expect(msOf(id)).toBeGreaterThanOrEqual(before);
    expect(msOf(id)).toBeLessThanOrEqual(after);
  });

  it("increases strictly within one millisecond, by its counter", () => {
    const next = createEventIdGenerator({ now: () => 1_767_225_600_123, randomBytes: random });
    const ids = Array.from({ length: 10_000 }, next);
    for (const id of ids) expect(msOf(id)).toBe(1_767_225_600_123);
    for (let i = 1; i < ids.length; i++) {
      expect(ids[i] > ids[i - 1]).toBe(true);
      expect(counterOf(ids[i])).toBe(counterOf(ids[i - 1]) + 1);
    }
  });

  it("keeps increasing when the clock steps back", () => {
    const times = [5_000, 5_001, 4_000, 4_000, 5_001, 6_000];
    const next = createEventIdGenerator({ now: () => times.shift()!, randomBytes: random });
    const ids = Array.from({ length: 6 }, next);
    expect([...ids].sort()).toEqual(ids);
    expect(ids.map(msOf)).toEqual([5_000, 5_001, 5_001, 5_001, 5_001, 6_000]);
  });

  it("starts each millisecond's counter below 2^41, leaving 2^41 ids of headroom", () => {
    // Random bytes of all ones: the highest start there is.
    const next = createEventIdGenerator({ now: () => 9_000, randomBytes: (n) => new Uint8Array(n).fill(0xff) });
    const [first, second] = [next(), next()];
    expect(counterOf(first)).toBe(2 ** 41 - 1);
    expect(counterOf(second)).toBe(2 ** 41);
    expect(first).toMatch(V7);
    expect(second).toMatch(V7);
  });

  it("gives unique ids in creation order under a tight loop", () => {
    const ids = Array.from({ length: 200_000 }, () => newEventId());
    expect(new Set(ids).size).toBe(ids.length);
    for (let i = 1; i < ids.length; i++) if (!(ids[i] > ids[i - 1])) throw new Error(`not increasing at ${i}: ${ids[i - 1]} ${ids[i]}`);
    for (const id of ids.slice(0, 1000)) expect(id).toMatch(V7);
  });

  it("is the id of the emitter's events and of the generator's emitter-style events", () => {
    expect(buildEvent("order_created", { entity_id: "o1", user_id: "00000000-0000-4000-8000-000000000001", service_code: "tarot_reading" }).event_id).toMatch(V7);
    const events = generateEvents({ days: 1, eventsPerDay: 200, seed: 7, eventIds: "emitter", shuffle: true });
    for (const e of events) expect(e.event_id).toMatch(V7);
    const ids = events.map((e) => e.event_id);
    expect([...ids].sort()).toEqual(ids); // in sending order
    // The default stays deterministic per seed.
    expect(generateEvents({ days: 1, eventsPerDay: 50, seed: 7 })).toEqual(generateEvents({ days: 1, eventsPerDay: 50, seed: 7 }));
  });
});

const { sql, REQ, USER } = ingestTestContext("event-id");

describe("ingest accepts any valid uuid as event_id", () => {
  it("stores v7, v4 and v1 ids, and recognises each when re-sent", async () => {
    const ids = [newEventId(), crypto.randomUUID(), "c232ab00-9414-11ec-b3c8-9f6bdeced846"];
    const events = ids.map((event_id) => ({ ...sampleEvent("order_created", REQ, USER), event_id }));
    expect((await postIngest({ events })).body).toEqual({ accepted: 3, duplicates: 0 });
    expect((await postIngest({ events })).body).toEqual({ accepted: 0, duplicates: 3 });
    expect(await countRows(sql, REQ)).toBe(3);
  });
});

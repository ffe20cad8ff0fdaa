// The scale benchmark's workload (bench/scale-workload.ts): exactly the events asked for, in bodies
// of at most a batch, copies of one generated day that share no event, user or entity id, each
// event marked for the cleanup and moved by the time zone shift, and valid for the ingest function.
import { describe, expect, it } from "vitest";
import { scaleWorkload } from "../../bench/scale-workload.ts";
import { generateEvents } from "../../lib/generator/index.ts";
import type { GeneratedEvent } from "../../lib/generator/index.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
/** The emitters' event ids: UUIDv7 (client/event-id.ts). */
const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const OPTS = { total: 2_600, batch: 300, day: "2026-09-20", shiftMs: 3 * 3_600_000, marker: "bench-scale", seed: 7, templateEvents: 1_000 };

function drain(opts = OPTS): GeneratedEvent[][] {
  const work = scaleWorkload(opts);
  const bodies: GeneratedEvent[][] = [];
  for (let body = work.next(); body; body = work.next()) bodies.push((JSON.parse(body.toString()) as { events: GeneratedEvent[] }).events);
  expect(work.handedOut).toBe(opts.total);
  return bodies;
}

describe("scale benchmark workload", () => {
  it("hands out exactly the events asked for, at most a batch per body", () => {
    const bodies = drain();
    expect(bodies.flat()).toHaveLength(OPTS.total);
    expect(Math.max(...bodies.map((b) => b.length))).toBeLessThanOrEqual(OPTS.batch);
    expect(bodies.every((b) => b.length > 0)).toBe(true);
  });

  it("copies the generated day under other ids: no event, user or entity id shared between copies", () => {
    const events = drain().flat();
    const copy = (i: number) => events.slice(i * OPTS.templateEvents, (i + 1) * OPTS.templateEvents);
    expect(new Set(events.map((e) => e.event_id)).size).toBe(events.length);
    for (const field of ["user_id", "entity_id"] as const) {
      const of = (xs: GeneratedEvent[]) => new Set(xs.map((e) => e[field]).filter((x) => x !== null && UUID.test(x)));
      const [a, b, c] = [of(copy(0)), of(copy(1)), of(copy(2))];
      expect(a.size).toBeGreaterThan(0);
      expect([...a].filter((x) => b.has(x) || c.has(x))).toEqual([]);
    }
    // Apart from the ids, a copy is the template: same types, times, amounts, metadata.
    const strip = (e: GeneratedEvent) => ({ ...e, event_id: "", user_id: e.user_id && "u", entity_id: UUID.test(e.entity_id ?? "") ? "x" : e.entity_id });
    expect(copy(1).map(strip)).toEqual(copy(0).map(strip));
  });

  it("keeps the generator's day, moved by the shift, with the marker and well-formed ids", () => {
    const events = drain().flat();
    const template = generateEvents({ days: 1, eventsPerDay: OPTS.templateEvents, exact: true, shuffle: true, seed: OPTS.seed, endDate: OPTS.day });
    expect(events.slice(0, template.length).map((e) => e.event_timestamp))
      .toEqual(template.map((e) => new Date(Date.parse(e.event_timestamp) + OPTS.shiftMs).toISOString()));
    expect(events.every((e) => e.request_id === OPTS.marker)).toBe(true);
    expect(events.every((e) => UUID_V7.test(e.event_id) && (e.user_id === null || UUID.test(e.user_id)))).toBe(true);
  });
});

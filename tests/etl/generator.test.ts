// The synthetic generator: deterministic per seed, and every event satisfies the catalog
// (required fields of public.event_schema_versions, uuids, ISO codes, metadata types).
import { afterAll, describe, expect, it } from "vitest";
import { generateEvents } from "../../lib/generator/index.ts";
import { connect } from "../helpers/db.ts";

const sql = connect();
afterAll(() => sql.end());
const OPTS = { days: 3, eventsPerDay: 1200, seed: 99, endDate: "2026-09-20" };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("synthetic event generator", () => {
  it("is deterministic per seed and differs across seeds", () => {
    expect(generateEvents(OPTS)).toEqual(generateEvents(OPTS));
    expect(generateEvents({ ...OPTS, seed: 100 })[0]).not.toEqual(generateEvents(OPTS)[0]);
  });

  it("emits only catalogued events with their required fields and typed metadata", async () => {
    const catalog = await sql<{ event_type: string; event_domain: string; entity_type: string | null; required_fields: string[]; metadata_fields: Record<string, { type: string; required: boolean }>; status_values: string[] | null }[]>`
      select distinct on (event_type) event_type, event_domain, entity_type, required_fields, metadata_fields, status_values
      from public.event_schema_versions order by event_type, version desc`;
    const byType = new Map(catalog.map((c) => [c.event_type, c]));
    const events = generateEvents(OPTS);
    expect(new Set(events.map((e) => e.event_type)).size).toBe(catalog.length); // every type occurs
    for (const e of events) {
      const c = byType.get(e.event_type);
      expect(c, e.event_type).toBeDefined();
      expect(e.event_domain).toBe(c!.event_domain);
      if (c!.entity_type) expect(e.entity_type).toBe(c!.entity_type);
      for (const f of c!.required_fields) expect(e[f as keyof typeof e], `${e.event_type}.${f}`).not.toBeNull();
      if (c!.status_values) expect(c!.status_values).toContain(e.status);
      expect(e.event_id).toMatch(UUID);
      if (e.user_id !== null) expect(e.user_id).toMatch(UUID);
      if (e.country_code !== null) expect(e.country_code).toMatch(/^[A-Z]{2}$/);
      if (e.currency !== null) expect(e.currency).toMatch(/^[A-Z]{3}$/);
      if (e.amount_cents !== null) expect(Number.isInteger(e.amount_cents) && e.amount_cents >= 0).toBe(true);
      for (const [key, spec] of Object.entries(c!.metadata_fields)) {
        const v = e.metadata[key];
        if (spec.required) expect(v, `${e.event_type}.metadata.${key}`).toBeDefined();
        if (v === undefined) continue;
        if (spec.type === "uuid") expect(v).toMatch(UUID);
        if (spec.type === "boolean") expect(typeof v).toBe("boolean");
        if (spec.type === "percent") expect(Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 100).toBe(true);
        if (spec.type === "zodiac_sign") expect(typeof v).toBe("string");
      }
    }
  });

  it("produces the lifecycles the KPIs need: cross-midnight orders, loops, fallbacks, refunds, unanswered calls, 12 signs", () => {
    const events = generateEvents(OPTS);
    const byEntity = new Map<string, string[]>();
    for (const e of events) if (e.entity_id) byEntity.set(e.entity_id, [...(byEntity.get(e.entity_id) ?? []), e.event_timestamp.slice(0, 10)]);
    const orders = events.filter((e) => e.event_type === "order_created").map((e) => e.entity_id!);
    expect(orders.some((o) => new Set(byEntity.get(o)).size > 1)).toBe(true);
    const rejections = new Map<string, number>();
    for (const e of events.filter((x) => x.event_type === "order_rejected")) rejections.set(e.entity_id!, (rejections.get(e.entity_id!) ?? 0) + 1);
    expect([...rejections.values()].some((n) => n >= 2)).toBe(true);
    expect(events.some((e) => e.metadata.is_fallback === true)).toBe(true);
    expect(new Set(events.filter((e) => e.event_type === "refund_issued").map((e) => e.currency)).size).toBeGreaterThan(1);
    const answered = new Set(events.filter((e) => e.event_type === "call_answered").map((e) => e.entity_id));
    expect(events.some((e) => e.event_type === "call_started" && !answered.has(e.entity_id))).toBe(true);
    expect(new Set(events.filter((e) => e.event_type === "horoscope_published").map((e) => e.metadata.zodiac_sign)).size).toBe(12);
  });
});

// The synthetic generator: deterministic per seed, and every event satisfies the catalog
// (required fields of public.event_schema_versions, uuids, ISO codes, metadata types) and passes
// the ingest function's own validation, as generated and as the ingest benchmark configures it.
import { afterAll, describe, expect, it } from "vitest";
import { generateDays, generateEvents, yesterdayUtc } from "../../lib/generator/index.ts";
import type { GeneratedEvent, GenerateOptions } from "../../lib/generator/index.ts";
import type { Catalog, MetadataFieldType } from "../../supabase/functions/_shared/catalog.ts";
import { checkEvent } from "../../supabase/functions/_shared/event-schema.ts";
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

/** The catalog as the ingest function loads it (_shared/catalog.ts), read from the local database. */
async function ingestCatalog(): Promise<Catalog> {
  const rows = await sql<{ event_type: string; version: number; event_domain: string; entity_type: string | null; required_fields: string[]; metadata_fields: Record<string, { type: MetadataFieldType; required?: boolean }>; status_values: string[] | null }[]>`
    select distinct on (event_type) event_type, version, event_domain, entity_type, required_fields, metadata_fields, status_values
    from public.event_schema_versions order by event_type, version desc`;
  const byType = new Map(rows.map((r) => [r.event_type, {
    eventType: r.event_type, version: r.version, eventDomain: r.event_domain, entityType: r.entity_type,
    requiredFields: r.required_fields, statusValues: r.status_values, clientEmittable: true,
    metadataFields: Object.fromEntries(Object.entries(r.metadata_fields).map(([k, v]) => [k, { type: v.type, required: v.required === true }])),
  }]));
  return { byType, domains: new Set(rows.map((r) => r.event_domain)) };
}

/** Every problem the ingest function's validation finds, as "index event_type path: message". */
function ingestIssues(events: GeneratedEvent[], catalog: Catalog): string[] {
  return events.flatMap((e, i) => {
    const result = checkEvent(e, catalog);
    return "issues" in result ? result.issues.map((x) => `${i} ${e.event_type} ${x.path}: ${x.message}`) : [];
  });
}

// The ingest benchmark's configuration (bench/suites/10-ingest.ts) at a tenth of its default size.
const BENCH_MIX = { orders: 0.3, payments: 0.2, calls: 0.15, notifications: 0.2, moderation: 0.03, content: 0.12 };
const CONFIGURED: GenerateOptions = {
  days: 1, eventsPerDay: 20_000, seed: 20261125, endDate: yesterdayUtc(),
  users: 5000, mix: BENCH_MIX, exact: true, userOnEveryEvent: true, shuffle: true,
};
const usersPerBatch = (events: GeneratedEvent[], size = 500) => {
  const counts: number[] = [];
  for (let i = 0; i + size <= events.length; i += size) counts.push(new Set(events.slice(i, i + size).map((e) => e.user_id)).size);
  return counts.reduce((a, b) => a + b, 0) / counts.length;
};

describe("synthetic event generator, configured as a workload", () => {
  it("passes the ingest function's validation (catalog, typed metadata, privacy filter), as generated and as configured", async () => {
    const catalog = await ingestCatalog();
    const lifecycles = generateEvents({ days: 2, eventsPerDay: 1500, seed: 7, endDate: yesterdayUtc() });
    const configured = generateEvents(CONFIGURED);
    expect(new Set(lifecycles.map((e) => e.event_type)).size).toBe(catalog.byType.size);
    // One day alone lacks only the horoscope uploads (and rejections) of the evening before it.
    const types = new Set(configured.map((e) => e.event_type));
    expect([...catalog.byType.keys()].filter((t) => !types.has(t)).sort()).toEqual(["horoscope_rejected", "horoscope_uploaded"]);
    expect(ingestIssues(lifecycles, catalog)).toEqual([]);
    expect(ingestIssues(configured, catalog)).toEqual([]);
  });

  it("gives exactly the events asked for, the domains in their shares, a user on every event from a pool of the given size", () => {
    const events = generateEvents(CONFIGURED);
    expect(events).toHaveLength(20_000);
    for (const [domain, share] of Object.entries(BENCH_MIX)) {
      expect(events.filter((e) => e.event_domain === domain).length / events.length, domain).toBeCloseTo(share, 3);
    }
    expect(events.every((e) => e.user_id !== null)).toBe(true);
    expect(new Set(events.map((e) => e.user_id)).size).toBe(5000);
    expect(generateEvents(CONFIGURED)).toEqual(events);
    // Exact per day over several days, domains left out get no events (no editorial horoscopes either).
    const days = [...generateDays({ days: 3, eventsPerDay: 999, seed: 5, endDate: "2026-09-20", exact: true, mix: { payments: 1, calls: 1 } })];
    expect(days.map((d) => d.events.length)).toEqual([999, 999, 999]);
    expect(new Set(days.flatMap((d) => d.events.map((e) => e.event_domain)))).toEqual(new Set(["payments", "calls"]));
  });

  it("shuffled, a batch of 500 holds about as many users as 500 independent events would", () => {
    // 500 independent draws from 5,000 users: 5000 * (1 - (1 - 1/5000)^500), about 476 distinct.
    const independent = 5000 * (1 - (1 - 1 / 5000) ** 500);
    expect(usersPerBatch(generateEvents(CONFIGURED))).toBeGreaterThan(0.97 * independent);
    // In lifecycle order a user's events sit together: far fewer users per batch.
    expect(usersPerBatch(generateEvents({ ...CONFIGURED, shuffle: false }))).toBeLessThan(0.8 * independent);
  });

  it("refuses options it cannot honour", () => {
    const base = { days: 1, eventsPerDay: 100, seed: 1 };
    expect(() => generateEvents({ ...base, mix: { orders: 0 } })).toThrow(/at least one share/);
    expect(() => generateEvents({ ...base, mix: { orders: -1, calls: 1 } })).toThrow(/>= 0/);
    expect(() => generateEvents({ ...base, mix: { horoscopes: 1 } as GenerateOptions["mix"] })).toThrow(/unknown domain/);
    expect(() => generateEvents({ ...base, users: 0 })).toThrow(/users/);
  });
});

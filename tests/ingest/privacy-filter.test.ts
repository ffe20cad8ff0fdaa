// The privacy filter module against the labelled fixture set (unit level; the HTTP path is in
// privacy-http.test.ts).
import { describe, expect, it } from "vitest";
import type { Catalog, CatalogEntry } from "../../supabase/functions/_shared/catalog.ts";
import { checkEvent, eventShape, FREE_TEXT_FIELDS } from "../../supabase/functions/_shared/event-schema.ts";
import { checkMetadataPrivacy, isPiiKey, luhnValid, piiKindOfKey, piiKindOfValue } from "../../supabase/functions/_shared/privacy.ts";
import { CLEAN_KEYS, CLEAN_VALUES, PII_KEY_TEXTS, PII_KEYS, PII_VALUES, UNICODE_PII_VALUES } from "./privacy-fixtures.ts";

describe("privacy filter: values", () => {
  it.each(PII_VALUES.map((f) => [f.label, f] as const))("flags %s", (_label, f) => {
    expect(piiKindOfValue(f.value)).toBe(f.kind);
  });
  it.each(UNICODE_PII_VALUES.map((f) => [f.label, f] as const))("flags %s", (_label, f) => {
    expect(piiKindOfValue(f.value)).toBe(f.kind);
  });
  it.each(CLEAN_VALUES.map((f) => [f.label, f] as const))("passes %s", (_label, f) => {
    expect(piiKindOfValue(f.value)).toBeNull();
  });
});

describe("privacy filter: keys", () => {
  it.each(PII_KEYS)("flags key %s", (key) => expect(isPiiKey(key)).toBe(true));
  it.each(CLEAN_KEYS)("passes key %s", (key) => {
    expect(isPiiKey(key)).toBe(false);
    expect(piiKindOfKey(key)).toBeNull();
  });
  it.each(PII_KEY_TEXTS.map((f) => [f.key, f] as const))("flags the key text %s", (_key, f) => {
    expect(piiKindOfKey(f.key)).toBe(f.kind);
  });
});

describe("privacy filter: findings", () => {
  it("names the field and the kind of data, never the value", () => {
    const findings = checkMetadataPrivacy({ note: "fatima@example.com", phone: "ok", plan: "gold" });
    expect(findings.map((f) => f.path)).toEqual(["metadata.note", "metadata.phone"]);
    expect(findings[0].message).toContain("email address");
    expect(JSON.stringify(findings)).not.toContain("fatima");
  });

  it("names a key that is personal data by its position, never by its text", () => {
    const metadata = Object.fromEntries([["plan", "gold"], ...PII_KEY_TEXTS.map((f) => [f.key, 1])]);
    const findings = checkMetadataPrivacy(metadata);
    expect(findings).toEqual(PII_KEY_TEXTS.map((f, i) => ({ path: `metadata[key ${i + 1}]`, message: expect.stringContaining(`key looks like`) })));
    for (const [i, f] of PII_KEY_TEXTS.entries()) expect(findings[i].message).toContain(f.kind);
    const text = JSON.stringify(findings);
    for (const f of PII_KEY_TEXTS) expect(text).not.toContain(f.key);
  });

  it("implements Luhn", () => {
    expect(luhnValid("79927398713")).toBe(true);
    expect(luhnValid("79927398710")).toBe(false);
  });
});

// Two catalog types: one with a fixed entity type, one (moderation) where the sender names it.
const entry = (eventType: string, eventDomain: string, entityType: string | null): CatalogEntry => ({
  eventType, version: 1, eventDomain, entityType, requiredFields: [], metadataFields: {}, statusValues: null, clientEmittable: true,
});
const CATALOG: Catalog = {
  byType: new Map([["order_created", entry("order_created", "orders", "order")], ["content_flagged", entry("content_flagged", "moderation", null)]]),
  domains: new Set(["orders", "moderation"]),
};
const event = (overrides: Record<string, unknown> = {}) => ({
  event_domain: "moderation", event_type: "content_flagged", event_timestamp: new Date().toISOString(),
  entity_type: "review", entity_id: "rev-3", ...overrides,
});
const issuesOf = (raw: unknown) => {
  const result = checkEvent(raw, CATALOG);
  return "issues" in result ? result.issues : [];
};

describe("checkEvent: every free-text field and key", () => {
  // The fields whose values are checked whole (uuids, timestamps, closed ISO code lists, integers)
  // or are metadata; every other field of the event schema is free text.
  const STRUCTURED = ["event_id", "user_id", "event_timestamp", "country_code", "currency", "amount_cents", "duration_seconds", "metadata"];

  it("lists every free-text field of the event schema", () => {
    const free = Object.keys(eventShape.shape).filter((k) => !STRUCTURED.includes(k));
    expect([...FREE_TEXT_FIELDS].sort()).toEqual(free.sort());
  });

  it("accepts the clean event", () => expect(issuesOf(event())).toEqual([]));

  const PLANTED: [string, string][] = [
    ["alice.smith@example.com", "email address"],
    ["+٩٦٦٥٠١٢٣٤٥٦٧", "phone number"],
    ["ａｌｉｃｅ＠ｅｘａｍｐｌｅ．ｃｏｍ", "email address"],
  ];
  it.each(FREE_TEXT_FIELDS.flatMap((field) => PLANTED.map(([value, kind]) => [field, value, kind] as const)))(
    "flags %s = %s", (field, value, kind) => {
      const issues = issuesOf(event({ [field]: value }));
      expect(issues).toContainEqual({ path: field, message: expect.stringContaining(kind) });
      expect(JSON.stringify(issues)).not.toContain(value);
    },
  );

  it("never repeats a personal-data key, whichever check fails on it", () => {
    const phone = "+966501234567";
    const cases: [Record<string, unknown>, string][] = [
      [{ metadata: { plan: "gold", [phone]: "x" } }, "metadata[key 1]"], // privacy filter
      [{ metadata: { plan: "gold", [phone]: { nested: 1 } } }, "metadata[key 1]"], // metadata shape
      [{ metadata: { [`${phone} ${"x".repeat(60)}`]: 1 } }, "metadata[key 0]"], // key length
      [{ [phone]: "x" }, "[key 5]"], // unknown top-level field
    ];
    for (const [overrides, path] of cases) {
      const issues = issuesOf(event(overrides));
      expect(issues.map((i) => i.path)).toContain(path);
      expect(JSON.stringify(issues)).not.toContain("966501234567");
    }
  });
});

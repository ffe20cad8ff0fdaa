// The privacy filter module against the labelled fixture set (unit level; the HTTP path is in
// privacy-http.test.ts).
import { describe, expect, it } from "vitest";
import { checkMetadataPrivacy, isPiiKey, luhnValid, piiKindOfValue } from "../../supabase/functions/_shared/privacy.ts";
import { CLEAN_KEYS, CLEAN_VALUES, PII_KEYS, PII_VALUES } from "./privacy-fixtures.ts";

describe("privacy filter: values", () => {
  it.each(PII_VALUES.map((f) => [f.label, f] as const))("flags %s", (_label, f) => {
    expect(piiKindOfValue(f.value)).toBe(f.kind);
  });
  it.each(CLEAN_VALUES.map((f) => [f.label, f] as const))("passes %s", (_label, f) => {
    expect(piiKindOfValue(f.value)).toBeNull();
  });
});

describe("privacy filter: keys", () => {
  it.each(PII_KEYS)("flags key %s", (key) => expect(isPiiKey(key)).toBe(true));
  it.each(CLEAN_KEYS)("passes key %s", (key) => expect(isPiiKey(key)).toBe(false));
});

describe("privacy filter: findings", () => {
  it("names the field and the kind of data, never the value", () => {
    const findings = checkMetadataPrivacy({ note: "fatima@example.com", phone: "ok", plan: "gold" });
    expect(findings.map((f) => f.path)).toEqual(["metadata.note", "metadata.phone"]);
    expect(findings[0].message).toContain("email address");
    expect(JSON.stringify(findings)).not.toContain("fatima");
  });

  it("implements Luhn", () => {
    expect(luhnValid("79927398713")).toBe(true);
    expect(luhnValid("79927398710")).toBe(false);
  });
});

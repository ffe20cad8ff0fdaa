// Unit tests of the metrics function's response cache (LRU by size and count, TTL) and its key
// (everything an answer depends on), imported straight from the function's modules.
import { describe, expect, it } from "vitest";
import type { Caller } from "../../supabase/functions/_shared/auth.ts";
import { cacheKey, canonicalParams } from "../../supabase/functions/metrics/cache-key.ts";
import { type CacheLimits, ResponseCache } from "../../supabase/functions/metrics/response-cache.ts";

const encoder = new TextEncoder();
const response = (text: string) => ({ chunks: [encoder.encode(text)], contentType: "application/json", etag: `"${text.length}"` });
const text = (chunks: readonly Uint8Array[] | undefined) => (chunks === undefined ? undefined : chunks.map((c) => new TextDecoder().decode(c)).join(""));

function cacheWith(limits: Partial<CacheLimits>, clock = { now: 0 }) {
  return new ResponseCache({ maxBytes: 1000, maxEntries: 10, ttlMs: 60_000, ...limits }, () => clock.now);
}

describe("ResponseCache", () => {
  it("returns what was stored under the same key only", () => {
    const cache = cacheWith({});
    cache.set("a", response("body-a"));
    expect(cache.get("a")).toEqual(response("body-a"));
    expect(cache.get("b")).toBeUndefined();
  });

  it("evicts the least recently used entry when the entry count is exceeded", () => {
    const cache = cacheWith({ maxEntries: 2 });
    cache.set("a", response("1"));
    cache.set("b", response("2"));
    cache.get("a"); // a is now more recent than b
    cache.set("c", response("3"));
    expect([cache.get("a"), cache.get("b"), cache.get("c")].map((r) => text(r?.chunks))).toEqual(["1", undefined, "3"]);
    expect(cache.size).toBe(2);
  });

  it("evicts by total size (key + body bytes) and keeps the byte count exact", () => {
    const cache = cacheWith({ maxBytes: 400 });
    cache.set("a", response("x".repeat(99))); // 100
    cache.set("b", response("x".repeat(99)));
    cache.set("c", response("x".repeat(99)));
    expect(cache.bytes).toBe(300);
    cache.set("d", response("x".repeat(99)));
    cache.set("e", response("x".repeat(99)));
    expect(cache.bytes).toBe(400);
    expect(cache.get("a")).toBeUndefined();
    expect(cache.get("e")?.chunks[0].byteLength).toBe(99);
    cache.set("e", response("y")); // replacing an entry releases its old size
    expect(cache.bytes).toBe(302);
  });

  it("does not keep an entry larger than a quarter of the budget", () => {
    const cache = cacheWith({ maxBytes: 400 });
    cache.set("big", response("x".repeat(101)));
    expect(cache.get("big")).toBeUndefined();
    expect(cache.bytes).toBe(0);
  });

  it("expires entries after the TTL", () => {
    const clock = { now: 1_000 };
    const cache = cacheWith({ ttlMs: 500 }, clock);
    cache.set("a", response("1"));
    clock.now = 1_499;
    expect(text(cache.get("a")?.chunks)).toBe("1");
    clock.now = 1_500;
    expect(cache.get("a")).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it("stores nothing when turned off (size 0)", () => {
    const cache = cacheWith({ maxBytes: 0 });
    expect(cache.enabled).toBe(false);
    cache.set("a", response("1"));
    expect(cache.get("a")).toBeUndefined();
  });
});

describe("cacheKey", () => {
  const reader = (sub: string): Caller => ({ kind: "user", dbRole: "authenticated", sub, appRole: "reader", claims: {} });
  const service: Caller = { kind: "service", dbRole: "service_role", keyId: "test", claims: {} };
  const base = {
    endpoint: "fulfillment",
    params: { start_date: "2012-01-01", end_date: "2012-01-31" },
    csv: false,
    caller: reader("a"),
    versions: "metrics_daily_fulfillment:3@1",
    timeZone: "Asia/Riyadh",
    today: "2026-11-25",
  };

  it("differs in every part an answer depends on", () => {
    const variants = [
      base,
      { ...base, endpoint: "payments" },
      { ...base, params: { ...base.params, service_code: "tarot" } },
      { ...base, csv: true },
      { ...base, caller: reader("b") },
      { ...base, caller: { ...reader("a"), appRole: "admin" as const } },
      { ...base, caller: service },
      { ...base, versions: "metrics_daily_fulfillment:4@2" },
      { ...base, today: "2026-11-26" }, // the reader's 30-day window moved
      { ...base, timeZone: "Africa/Cairo" }, // the dates are another zone's
    ];
    expect(new Set(variants.map(cacheKey)).size).toBe(variants.length);
  });

  it("is the same within a local day and for params given in another order", () => {
    const reordered = { end_date: "2012-01-31", start_date: "2012-01-01" };
    expect(cacheKey({ ...base, params: reordered })).toBe(cacheKey(base));
    expect(canonicalParams(reordered)).toBe(canonicalParams(base.params));
  });
});

// Every validation rejection, table-driven: status, error code, details (index and path), and
// that nothing at all was written, not even the valid events of the same batch.
import { describe, expect, it } from "vitest";
import { ago, countRows, ingestTestContext, postIngest, sampleEvent } from "./events.ts";
import type { TestEvent } from "./events.ts";

const { sql, REQ, USER } = ingestTestContext("reject");


const ev = (type: string, overrides: TestEvent = {}) => sampleEvent(type, REQ, USER, overrides);
const without = (e: TestEvent, field: string) => {
  delete e[field];
  return e;
};
const longText = "x".repeat(257);

/** `YYYY-MM-31T10:00:00Z` for a recent 30-day month: JavaScript would roll it over into the
 * retention window; Postgres refuses it (this once surfaced as a 500). */
function thirtyFirstOfShortMonth(): string {
  for (let daysAgo = 10; daysAgo < 85; daysAgo++) {
    const d = new Date(Date.now() - daysAgo * 86_400_000);
    const monthLength = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
    if (monthLength === 30 && d.getUTCDate() === 30) return `${d.toISOString().slice(0, 8)}31T10:00:00Z`;
  }
  throw new Error("no 30-day month in the window");
}

// [name, invalid event, path reported]
const EVENT_CASES: [string, TestEvent | unknown, string][] = [
  ["unknown domain", ev("order_created", { event_domain: "astrology" }), "event_domain"],
  ["unknown event type", ev("order_created", { event_type: "order_teleported" }), "event_type"],
  ["type outside its domain", ev("order_created", { event_domain: "payments" }), "event_type"],
  ["missing event_type", without(ev("order_created"), "event_type"), "event_type"],
  ["missing event_timestamp", without(ev("order_created"), "event_timestamp"), "event_timestamp"],
  ["missing required field (service_code)", without(ev("order_created"), "service_code"), "service_code"],
  ["required field null (amount_cents)", ev("payment_succeeded", { amount_cents: null }), "amount_cents"],
  ["missing required user_id", without(ev("notification_opened"), "user_id"), "user_id"],
  ["user_id not a uuid", ev("order_created", { user_id: "user-42" }), "user_id"],
  ["event_id not a uuid", ev("order_created", { event_id: "12345" }), "event_id"],
  ["unknown country code", ev("payment_succeeded", { country_code: "XX" }), "country_code"],
  ["alpha-3 country code", ev("payment_succeeded", { country_code: "SAU" }), "country_code"],
  ["unknown currency", ev("payment_succeeded", { currency: "ABC" }), "currency"],
  ["amount_cents as a string", ev("payment_succeeded", { amount_cents: "5000" }), "amount_cents"],
  ["negative amount_cents", ev("payment_succeeded", { amount_cents: -1 }), "amount_cents"],
  ["fractional amount_cents", ev("payment_succeeded", { amount_cents: 10.5 }), "amount_cents"],
  ["duration_seconds as a string", ev("call_ended", { duration_seconds: "60" }), "duration_seconds"],
  ["negative duration_seconds", ev("call_ended", { duration_seconds: -5 }), "duration_seconds"],
  ["timestamp without offset", ev("order_created", { event_timestamp: "2026-11-25T10:00:00" }), "event_timestamp"],
  ["timestamp not a date", ev("order_created", { event_timestamp: "yesterday" }), "event_timestamp"],
  ["timestamp on the 31st of a 30-day month (no roll-over)", ev("order_created", { event_timestamp: thirtyFirstOfShortMonth() }), "event_timestamp"],
  ["timestamp on day 32", ev("order_created", { event_timestamp: `${ago(60 * 24 * 40).slice(0, 8)}32T10:00:00Z` }), "event_timestamp"],
  ["timestamp with hour 24", ev("order_created", { event_timestamp: `${ago(60).slice(0, 10)}T24:00:00Z` }), "event_timestamp"],
  ["timestamp with offset over 15 hours", ev("order_created", { event_timestamp: `${ago(60).slice(0, 19)}+16:00` }), "event_timestamp"],
  ["timestamp as epoch number", ev("order_created", { event_timestamp: Date.now() }), "event_timestamp"],
  ["timestamp older than 90 days", ev("order_created", { event_timestamp: ago(91 * 24 * 60) }), "event_timestamp"],
  ["timestamp 10 minutes ahead", ev("order_created", { event_timestamp: ago(-10) }), "event_timestamp"],
  ["string over 256 characters", ev("order_created", { entity_id: longText }), "entity_id"],
  ["empty string", ev("order_created", { service_code: "" }), "service_code"],
  ["NUL character in a string", ev("order_created", { entity_id: "ord\u00001" }), "entity_id"],
  ["unpaired surrogate in a string", ev("order_created", { service_code: "tarot\ud800" }), "service_code"],
  ["NUL character in a metadata value", ev("order_created", { metadata: { plan: "gold\u0000" } }), "metadata.plan"],
  ["unpaired surrogate in a metadata key", ev("order_created", { metadata: { ["k\udc00"]: 1 } }), "metadata.k\udc00"],
  ["string field as a number", ev("order_created", { provider: 7 }), "provider"],
  ["unknown top-level field", ev("order_created", { customer_tier: "gold" }), "customer_tier"],
  ["entity_type not the catalog's", ev("order_created", { entity_type: "payment" }), "entity_type"],
  ["status outside status_values", ev("moderation_decision", { status: "maybe" }), "status"],
  ["metadata an array", ev("order_created", { metadata: ["a"] }), "metadata"],
  ["metadata a string", ev("order_created", { metadata: "{}" }), "metadata"],
  ["nested metadata object", ev("order_created", { metadata: { plan: { tier: 1 } } }), "metadata.plan"],
  ["metadata array value", ev("order_created", { metadata: { tags: ["a"] } }), "metadata.tags"],
  ["metadata with 33 keys", ev("order_created", { metadata: Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, i])) }), "metadata"],
  ["metadata over 4 KB", ev("order_created", { metadata: Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, "y".repeat(250)])) }), "metadata"],
  ["metadata string over 256", ev("order_created", { metadata: { note: longText } }), "metadata.note"],
  ["missing required metadata (reader_id)", ev("order_assigned", { metadata: {} }), "metadata.reader_id"],
  ["metadata reader_id not a uuid", ev("order_assigned", { metadata: { reader_id: "reader-4" } }), "metadata.reader_id"],
  ["listen_percent over 100", ev("horoscope_listened", { metadata: { listen_percent: 101 } }), "metadata.listen_percent"],
  ["listen_percent fractional", ev("horoscope_listened", { metadata: { listen_percent: 50.5 } }), "metadata.listen_percent"],
  ["listen_percent as a string", ev("horoscope_listened", { metadata: { listen_percent: "50" } }), "metadata.listen_percent"],
  ["zodiac sign capitalised", ev("horoscope_published", { metadata: { zodiac_sign: "Leo" } }), "metadata.zodiac_sign"],
  ["zodiac sign unknown", ev("horoscope_published", { metadata: { zodiac_sign: "dragon" } }), "metadata.zodiac_sign"],
  ["is_fallback as a string", ev("payment_attempted", { metadata: { is_fallback: "true" } }), "metadata.is_fallback"],
  ["PII metadata key", ev("order_created", { metadata: { email: "x" } }), "metadata.email"],
  ["PII in entity_id", ev("order_created", { entity_id: "fatima@example.com" }), "entity_id"],
  ["PII in entity_type", ev("content_flagged", { entity_type: "fatima@example.com" }), "entity_type"],
  ["Arabic-Indic phone in request_id", ev("order_created", { request_id: "+٩٦٦٥٠١٢٣٤٥٦٧" }), "request_id"],
  ["full-width email in metadata", ev("order_created", { metadata: { note: "ｆａｔｉｍａ＠ｅｘａｍｐｌｅ．ｃｏｍ" } }), "metadata.note"],
  // A key that is itself personal data is named by its position, never repeated.
  ["phone as a metadata key", ev("order_created", { metadata: { plan: "gold", "+966501234567": 1 } }), "metadata[key 1]"],
  ["email as a metadata key with an array value", ev("order_created", { metadata: { "fatima@example.com": [1] } }), "metadata[key 0]"],
  ["event is a number", 42, "event"],
  ["event is null", null, "event"],
  ["event is an array", [ev("order_created")], "event"],
];

describe("ingest rejects invalid events (400 invalid_events, nothing written)", () => {
  it.each(EVENT_CASES)("%s", async (_name, bad, path) => {
    const before = await countRows(sql, REQ);
    // The bad event sits between two valid ones: its index is reported and the valid ones are not stored.
    const res = await postIngest({ events: [ev("order_created"), bad, ev("call_started")] });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("invalid_events");
    const details = res.body.error.details as { index: number; path: string; message: string }[];
    expect(details.length).toBeGreaterThan(0);
    expect(details.every((d) => d.index === 1)).toBe(true);
    expect(details.map((d) => d.path)).toContain(path);
    expect(details.every((d) => typeof d.message === "string" && d.message.length > 0)).toBe(true);
    expect(await countRows(sql, REQ)).toBe(before);
  });

  it("reports every bad event of a batch, not just the first", async () => {
    const events = [
      ev("order_created"),
      ev("payment_succeeded", { amount_cents: "5000" }),
      ev("order_created"),
      ev("order_created", { country_code: "ZZ" }),
      ev("horoscope_listened", { metadata: { listen_percent: 200 } }),
    ];
    const res = await postIngest({ events });
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { index: number; path: string }) => [d.index, d.path])).toEqual([
      [1, "amount_cents"],
      [3, "country_code"],
      [4, "metadata.listen_percent"],
    ]);
    expect(await countRows(sql, REQ)).toBe(0);
  });
});

// [name, raw body, status, code]
const BODY_CASES: [string, string, number, string][] = [
  ["malformed JSON", '{"events": [', 400, "invalid_json"],
  ["empty body", "", 400, "invalid_json"],
  ["JSON null", "null", 400, "invalid_body"],
  ["JSON array", "[]", 400, "invalid_body"],
  ["JSON string", '"events"', 400, "invalid_body"],
  ["events missing", "{}", 400, "invalid_body"],
  ["events null", '{"events": null}', 400, "invalid_body"],
  ["events an object", '{"events": {}}', 400, "invalid_body"],
  ["no events", '{"events": []}', 400, "invalid_body"],
  ["unknown body field", '{"events": [], "dry_run": true}', 400, "invalid_body"],
  ["prototype pollution attempt", '{"events": [{"__proto__": {"admin": true}}]}', 400, "invalid_events"],
  ["huge number", '{"events": [{"amount_cents": 1e400}]}', 400, "invalid_events"],
  ["infinite metadata number", `{"events": [${JSON.stringify(ev("order_created")).replace(/}$/, ', "metadata": {"ratio": 1e400}}')}]}`, 400, "invalid_events"],
  ["deeply nested metadata", `{"events": [{"metadata": ${"[".repeat(5000)}${"]".repeat(5000)}}]}`, 400, "invalid_events"],
];

describe("ingest rejects malformed bodies, never with a 5xx", () => {
  it.each(BODY_CASES)("%s", async (_name, body, status, code) => {
    const res = await postIngest(body);
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
  });

  it("rejects more than 1000 events", async () => {
    const events = Array.from({ length: 1001 }, () => ev("order_created"));
    const res = await postIngest({ events });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("invalid_body");
    expect(await countRows(sql, REQ)).toBe(0);
  });

  it("rejects invalid UTF-8", async () => {
    const res = await postIngest(new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]));
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("invalid_json");
  });
});

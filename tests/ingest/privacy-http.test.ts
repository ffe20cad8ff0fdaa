// The privacy fixture set through the real function: every planted PII value or key is rejected
// (reported by index and path, value not echoed, nothing written); every clean payload is stored.
import { describe, expect, it } from "vitest";
import { countRows, ingestTestContext, postIngest, sampleEvent } from "./events.ts";
import { CLEAN_KEYS, CLEAN_VALUES, PII_KEYS, PII_VALUES } from "./privacy-fixtures.ts";

const { sql, REQ, USER } = ingestTestContext("privacy");


const withMetadata = (metadata: Record<string, unknown>) =>
  sampleEvent("order_created", REQ, USER, { metadata });

describe("ingest privacy filter over HTTP", () => {
  it("rejects every planted PII value in metadata, naming each event and field", async () => {
    const events = PII_VALUES.map((f) => withMetadata({ note: f.value }));
    const res = await postIngest({ events });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("invalid_events");
    const details = res.body.error.details as { index: number; path: string; message: string }[];
    expect(details.map((d) => d.index)).toEqual(PII_VALUES.map((_, i) => i));
    for (const [i, f] of PII_VALUES.entries()) {
      expect(details[i].path, f.label).toBe("metadata.note");
      expect(details[i].message, f.label).toContain(f.kind);
    }
    const text = JSON.stringify(res.body);
    for (const f of PII_VALUES) expect(text, f.label).not.toContain(String(f.value));
    expect(await countRows(sql, REQ)).toBe(0);
  });

  it("rejects every PII-naming metadata key", async () => {
    const events = PII_KEYS.map((key) => withMetadata({ [key]: "x" }));
    const res = await postIngest({ events });
    expect(res.status).toBe(400);
    const details = res.body.error.details as { index: number; path: string }[];
    expect(details.map((d) => [d.index, d.path])).toEqual(PII_KEYS.map((k, i) => [i, `metadata.${k}`]));
    expect(await countRows(sql, REQ)).toBe(0);
  });

  it.each(["entity_id", "status", "request_id", "provider", "service_code"])("checks the free-text field %s", async (field) => {
    const res = await postIngest({ events: [sampleEvent("order_created", REQ, USER, { [field]: "+966 50 123 4567" })] });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([{ index: 0, path: field, message: expect.stringContaining("phone number") }]);
  });

  it("stores every clean value and key", async () => {
    const metadata = Object.fromEntries(CLEAN_VALUES.map((f, i) => [`v${i}`, f.value]));
    const keys = Object.fromEntries(CLEAN_KEYS.map((k) => [k, "ok"]));
    const events = [
      withMetadata(metadata),
      withMetadata(keys),
      ...CLEAN_VALUES.filter((f) => typeof f.value === "string").map((f) => sampleEvent("order_created", REQ, USER, { entity_id: f.value })),
    ];
    const res = await postIngest({ events });
    expect(res.body).toEqual({ accepted: events.length, duplicates: 0 });
    expect(await countRows(sql, REQ)).toBe(events.length);
  });
});

// The privacy fixture set through the real function: every planted PII value or key is rejected
// (reported by index and path, the text never echoed in the raw response text, nothing written); every
// clean payload is stored.
import { describe, expect, it } from "vitest";
import { FREE_TEXT_FIELDS } from "../../supabase/functions/_shared/event-schema.ts";
import { countRows, ingestTestContext, postIngest, sampleEvent } from "./events.ts";
import type { TestEvent } from "./events.ts";
import { CLEAN_KEYS, CLEAN_VALUES, PII_KEY_TEXTS, PII_KEYS, PII_VALUES, UNICODE_PII_VALUES } from "./privacy-fixtures.ts";

const { sql, REQ, USER } = ingestTestContext("privacy");

const withMetadata = (metadata: Record<string, unknown>) =>
  sampleEvent("order_created", REQ, USER, { metadata });

// Every event here carries USER, whatever its request_id (one case plants PII there).
const countUserRows = async () =>
  (await sql<{ n: number }[]>`select count(*)::int as n from public.events_raw where user_id = ${USER}`)[0].n;

type Detail = { index: number; path: string; message: string };

describe("ingest privacy filter over HTTP", () => {
  it("rejects every planted PII value in metadata, naming each event and field, echoing none", async () => {
    const before = await countUserRows();
    const planted = [...PII_VALUES, ...UNICODE_PII_VALUES];
    const events = planted.map((f) => withMetadata({ note: f.value }));
    const res = await postIngest({ events });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("invalid_events");
    const details = res.body.error.details as Detail[];
    expect(details.map((d) => d.index)).toEqual(planted.map((_, i) => i));
    for (const [i, f] of planted.entries()) {
      expect(details[i].path, f.label).toBe("metadata.note");
      expect(details[i].message, f.label).toContain(f.kind);
      expect(res.text, f.label).not.toContain(String(f.value));
    }
    expect(await countUserRows()).toBe(before);
  });

  it("rejects every PII-naming metadata key", async () => {
    const before = await countUserRows();
    const events = PII_KEYS.map((key) => withMetadata({ [key]: "x" }));
    const res = await postIngest({ events });
    expect(res.status).toBe(400);
    const details = res.body.error.details as { index: number; path: string }[];
    expect(details.map((d) => [d.index, d.path])).toEqual(PII_KEYS.map((k, i) => [i, `metadata.${k}`]));
    expect(await countUserRows()).toBe(before);
  });

  it("rejects every metadata key whose text is personal data, naming it by position only", async () => {
    const before = await countUserRows();
    const events = PII_KEY_TEXTS.map((f) => withMetadata({ plan: "gold", [f.key]: 1 }));
    const res = await postIngest({ events });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual(
      PII_KEY_TEXTS.map((f, index) => ({ index, path: "metadata[key 1]", message: expect.stringContaining(f.kind) })),
    );
    for (const f of PII_KEY_TEXTS) expect(res.text).not.toContain(f.key);
    expect(await countUserRows()).toBe(before);
  });

  it.each(FREE_TEXT_FIELDS)("checks the free-text field %s", async (field) => {
    const before = await countUserRows();
    const res = await postIngest({ events: [sampleEvent("content_flagged", REQ, USER, { [field]: "+966 50 123 4567" })] });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toContainEqual({ index: 0, path: field, message: expect.stringContaining("phone number") });
    expect(await countUserRows()).toBe(before);
  });

  it("stores every clean value and key", async () => {
    // metadata holds at most 32 keys: 16 to an event
    const chunks = <T>(xs: T[]) => Array.from({ length: Math.ceil(xs.length / 16) }, (_, i) => xs.slice(i * 16, i * 16 + 16));
    const values = chunks(CLEAN_VALUES).map((fs) => Object.fromEntries(fs.map((f, i) => [`v${i}`, f.value])));
    const keys = chunks(CLEAN_KEYS).map((ks) => Object.fromEntries(ks.map((k) => [k, "ok"])));
    const strings = CLEAN_VALUES.filter((f) => typeof f.value === "string").map((f) => f.value as string);
    const events = [
      ...values.map(withMetadata),
      ...keys.map(withMetadata),
      ...strings.map((s) => sampleEvent("order_created", REQ, USER, { entity_id: s })),
      ...strings.map((s) => sampleEvent("content_flagged", REQ, USER, { entity_type: s })),
    ];
    const before = await countRows(sql, REQ);
    const res = await postIngest({ events });
    expect(res.body).toEqual({ accepted: events.length, duplicates: 0 });
    expect(await countRows(sql, REQ)).toBe(before + events.length);
  });
});

// The bypasses found in issue 13 (item 6): each was stored, or echoed in the error, before.
const flagged = (overrides: TestEvent) => sampleEvent("content_flagged", REQ, USER, overrides);
const unknownField = flagged({ "alice.smith@example.com": "x" });
// [name, event, path reported, kind named, texts the response must not contain]
const BYPASSES: [string, TestEvent, string, string, string[]][] = [
  ["email as entity_type", flagged({ entity_type: "alice.smith@example.com" }), "entity_type", "email address", ["alice.smith"]],
  ["phone as a metadata key", flagged({ metadata: { "+966501234567": "x" } }), "metadata[key 0]", "phone number", ["966501234567"]],
  ["Arabic-Indic phone as a metadata key", flagged({ metadata: { plan: "gold", "+٩٦٦٥٠١٢٣٤٥٦٧": 1 } }), "metadata[key 1]", "phone number", ["٩٦٦٥٠١٢٣٤٥٦٧", "966501234567"]],
  ["email key with a nested value", flagged({ metadata: { "alice.smith@example.com": { a: 1 } } }), "metadata[key 0]", "flat", ["alice.smith"]],
  ["email as an unknown event field", unknownField, `[key ${Object.keys(unknownField).indexOf("alice.smith@example.com")}]`, "not a known event field", ["alice.smith"]],
  ["Arabic-Indic phone in metadata", flagged({ metadata: { note: "+٩٦٦٥٠١٢٣٤٥٦٧" } }), "metadata.note", "phone number", ["٩٦٦٥٠١٢٣٤٥٦٧", "966501234567"]],
  ["Arabic-Indic phone as entity_id", flagged({ entity_id: "+٩٦٦ ٥٠ ١٢٣ ٤٥٦٧" }), "entity_id", "phone number", ["٩٦٦ ٥٠ ١٢٣ ٤٥٦٧", "966"]],
  ["Persian-digit phone as request_id", flagged({ request_id: "۰۵۰۱۲۳۴۵۶۷" }), "request_id", "phone number", ["۰۵۰۱۲۳۴۵۶۷", "0501234567"]],
  ["Persian-digit phone as entity_type", flagged({ entity_type: "+۹۷۱ ۵۰ ۱۲۳ ۴۵۶۷" }), "entity_type", "phone number", ["۹۷۱ ۵۰ ۱۲۳ ۴۵۶۷", "971"]],
  ["full-width at sign in an email", flagged({ entity_id: "alice.smith＠example.com" }), "entity_id", "email address", ["alice.smith"]],
  ["full-width digits in a phone", flagged({ metadata: { note: "＋９６６ ５０ １２３ ４５６７" } }), "metadata.note", "phone number", ["９６６", "966"]],
  ["IDN email", flagged({ metadata: { note: "فاطمة@مثال.السعودية" } }), "metadata.note", "email address", ["فاطمة", "مثال"]],
  ["non-ASCII local part", flagged({ provider: "josé@example.com" }), "provider", "email address", ["josé"]],
  ["card in Arabic-Indic digits", flagged({ metadata: { note: "٤١١١ ١١١١ ١١١١ ١١١١" } }), "metadata.note", "card number", ["٤١١١", "4111"]],
];

describe("ingest rejects the issue-13 PII bypasses (400, nothing written, nothing echoed)", () => {
  it.each(BYPASSES)("%s", async (_name, bad, path, kind, secrets) => {
    const before = await countUserRows();
    const res = await postIngest({ events: [withMetadata({}), bad, withMetadata({})] });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("invalid_events");
    expect(res.body.error.details).toContainEqual({ index: 1, path, message: expect.stringContaining(kind) });
    for (const s of secrets) expect(res.text).not.toContain(s);
    expect(await countUserRows()).toBe(before);
  });

  it("does not echo a personal-data key of the request body", async () => {
    const before = await countUserRows();
    const res = await postIngest({ events: [withMetadata({})], "alice.smith@example.com": 1 });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: "invalid_body", details: [{ path: "[key 1]" }] });
    expect(res.text).not.toContain("alice.smith");
    expect(await countUserRows()).toBe(before);
  });
});

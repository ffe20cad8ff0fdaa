// The write path (supabase/functions/ingest/insert-events.ts): a batch goes in with one COPY, and
// a COPY refused because some events are stored already falls back to the insert that skips
// them. These tests pin what COPY makes new: its text format's special characters, refusals
// during and after the data phase, concurrent senders of the same batch, and no connection left
// in an aborted transaction (porsager/postgres#1173).
import { describe, expect, it } from "vitest";
import { copyEvents } from "../../supabase/functions/ingest/copy-events.ts";
import type { Tx } from "../../supabase/functions/_shared/db.ts";
import type { ParsedEvent } from "../../supabase/functions/_shared/event-schema.ts";
import { asRole } from "../helpers/db.ts";
import { countRows, ingestTestContext, postIngest, sampleEvent } from "./events.ts";
import type { TestEvent } from "./events.ts";

const { sql, REQ, USER } = ingestTestContext("write-path");

const batch = (n: number, overrides: TestEvent = {}) =>
  Array.from({ length: n }, (_, i) => sampleEvent("order_created", REQ, USER, { entity_id: `ord-wp-${i}`, ...overrides }));

/** Backends of the functions' pool stuck in a failed transaction (the tests' own are never idle in one). */
const abortedTransactions = async () =>
  (await sql<{ n: number }[]>`
    select count(*)::int as n from pg_stat_activity where state = 'idle in transaction (aborted)'`)[0].n;

describe("ingest write path", () => {
  const TRICKY = [
    "tab\there", "new\nline", "carriage\rreturn", "back\\slash", "\\N", "\\\\N", "\\.", "ends with \\",
    "quote \" and ' and , and ;", "unicode: ♌ حظ 🌙",
  ];
  const trickyEvents = () => TRICKY.map((s, i) =>
    sampleEvent("order_created", REQ, USER, { entity_id: s, status: `s${i}\t${s}`, metadata: { note: s, [`k\t${i}`]: s } }));
  type Stored = { event_id: string; entity_id: string; status: string; metadata: Record<string, unknown> };
  const expectStoredAsSent = (events: TestEvent[], stored: Stored[]) => {
    expect(stored).toHaveLength(events.length);
    for (const e of events) {
      const row = stored.find((r) => r.event_id === e.event_id)!;
      expect({ entity_id: row.entity_id, status: row.status, metadata: row.metadata })
        .toEqual({ entity_id: e.entity_id, status: e.status, metadata: e.metadata });
    }
  };
  const selectStored = (q: typeof sql | Tx, events: TestEvent[]) => (q as typeof sql)<Stored[]>`
    select event_id, entity_id, status, metadata from public.events_raw
    where event_id in ${(q as typeof sql)(events.map((e) => e.event_id as string))}`;

  // Straight through copyEvents: a mis-encoded line would be refused, with no fallback to hide it.
  it("encodes COPY's special characters so they are stored exactly as sent", async () => {
    const events = trickyEvents();
    const stored = await asRole(sql, "service_role", { role: "service_role" }, async (tx) => {
      await copyEvents(tx as unknown as Tx, events as ParsedEvent[]);
      return selectStored(tx as unknown as Tx, events);
    });
    expectStoredAsSent(events, stored);
  });

  it("stores them exactly over HTTP too", async () => {
    const events = trickyEvents();
    const res = await postIngest({ events });
    expect(res.body).toEqual({ accepted: events.length, duplicates: 0 });
    expectStoredAsSent(events, await selectStored(sql, events));
  });

  it("skips a stored event met in the middle of a large batch (COPY refused while streaming)", async () => {
    const events = batch(1000);
    expect((await postIngest({ events: [events[0]] })).body).toEqual({ accepted: 1, duplicates: 0 });
    const before = await countRows(sql, REQ);
    const res = await postIngest({ events });
    expect(res.body).toEqual({ accepted: 999, duplicates: 1 });
    expect(await countRows(sql, REQ)).toBe(before + 999);
    expect(await abortedTransactions()).toBe(0);
  });

  it("stores a batch sent by four clients at once exactly once", async () => {
    const events = batch(200);
    const before = await countRows(sql, REQ);
    const results = await Promise.all(Array.from({ length: 4 }, () => postIngest({ events })));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    const accepted = results.reduce((sum, r) => sum + r.body.accepted, 0);
    const duplicates = results.reduce((sum, r) => sum + r.body.duplicates, 0);
    expect({ accepted, duplicates }).toEqual({ accepted: 200, duplicates: 600 });
    expect(await countRows(sql, REQ)).toBe(before + 200);
  });

  it("leaves no connection in an aborted transaction after refused COPYs, and keeps serving", async () => {
    const events = batch(50);
    await postIngest({ events });
    for (let i = 0; i < 12; i++) expect((await postIngest({ events })).body).toEqual({ accepted: 0, duplicates: 50 });
    expect(await abortedTransactions()).toBe(0);
    const fresh = batch(3);
    expect((await postIngest({ events: fresh })).body).toEqual({ accepted: 3, duplicates: 0 });
  });
});

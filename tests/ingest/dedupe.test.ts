// Idempotency: a re-sent batch stores nothing new, repeated ids within a batch count once.
import { describe, expect, it } from "vitest";
import { countRows, EVENT_TYPES, ingestTestContext, postIngest, sampleEvent } from "./events.ts";

const { sql, REQ, USER } = ingestTestContext("dedupe");


describe("ingest dedupe", () => {
  it("stores nothing new when the same batch is sent twice", async () => {
    const events = EVENT_TYPES.map((t) => sampleEvent(t, REQ, USER));
    expect((await postIngest({ events })).body).toEqual({ accepted: events.length, duplicates: 0 });
    const stored = await sql`select * from public.events_raw where request_id = ${REQ} order by event_id`;
    const again = await postIngest({ events });
    expect(again.body).toEqual({ accepted: 0, duplicates: events.length });
    expect(await sql`select * from public.events_raw where request_id = ${REQ} order by event_id`).toEqual(stored);
  });

  it("counts a partly re-sent batch exactly", async () => {
    const old = sampleEvent("order_created", REQ, USER);
    await postIngest({ events: [old] });
    const before = await countRows(sql, REQ);
    const res = await postIngest({ events: [old, sampleEvent("order_completed", REQ, USER), sampleEvent("call_started", REQ, USER)] });
    expect(res.body).toEqual({ accepted: 2, duplicates: 1 });
    expect(await countRows(sql, REQ)).toBe(before + 2);
  });

  it("stores an event_id repeated within one batch once", async () => {
    const e = sampleEvent("order_created", REQ, USER);
    const before = await countRows(sql, REQ);
    const res = await postIngest({ events: [e, { ...e }, { ...e }] });
    expect(res.body).toEqual({ accepted: 1, duplicates: 2 });
    expect(await countRows(sql, REQ)).toBe(before + 1);
  });

  it("treats ids case-insensitively", async () => {
    const e = sampleEvent("order_created", REQ, USER);
    await postIngest({ events: [e] });
    const res = await postIngest({ events: [{ ...e, event_id: (e.event_id as string).toUpperCase() }] });
    expect(res.body).toEqual({ accepted: 0, duplicates: 1 });
  });
});

// Group commit (supabase/functions/ingest/group-commit.ts): batches that wait behind an isolate's
// writes in flight are written together, in one transaction, and only with batches of the same
// writer; a batch the group's COPY refuses (a retry) costs the others nothing, and an error a
// retry may get past fails the whole group. The transaction that stored a row is its xmin.
import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { SERVICE_CALLER } from "../../supabase/functions/_shared/auth.ts";
import type { Caller } from "../../supabase/functions/_shared/auth.ts";
import { inTransactionAs } from "../../supabase/functions/_shared/db.ts";
import type { Sql } from "../../supabase/functions/_shared/db.ts";
import type { ParsedEvent } from "../../supabase/functions/_shared/event-schema.ts";
import { GroupCommit } from "../../supabase/functions/ingest/group-commit.ts";
import type { InTransaction } from "../../supabase/functions/ingest/insert-events.ts";
import { storeEvents } from "../../supabase/functions/ingest/insert-events.ts";
import { ingestTestContext, sampleEvent } from "./events.ts";

const { sql, REQ, USER } = ingestTestContext("group-commit");
const ERASED = randomUUID();
const pool = sql as unknown as Sql;

const writerA: Caller = SERVICE_CALLER;
const writerB: Caller = { ...SERVICE_CALLER, claims: { role: "service_role", sub: "another-backend" } };
const key = (w: Caller) => JSON.stringify(w.claims);
const as = (w: Caller): InTransaction => (fn) => inTransactionAs(pool, w, fn);

const batch = (n: number, userId = USER) =>
  Array.from({ length: n }, () => sampleEvent("order_created", REQ, userId, { entity_id: `ord-gc-${randomUUID()}` }) as ParsedEvent);

/** The transaction (xmin) that stored each batch, and how many of its events are stored. */
async function storedBy(batches: ParsedEvent[][]): Promise<{ xmins: string[]; rows: number }[]> {
  return await Promise.all(batches.map(async (b) => {
    const rows = await sql<{ xmin: string }[]>`
      select xmin::text as xmin from public.events_raw where event_id in ${sql(b.map((e) => e.event_id!))}`;
    return { xmins: [...new Set(rows.map((r) => r.xmin))], rows: rows.length };
  }));
}

afterAll(async () => {
  await sql`delete from analytics.erased_subjects where subject_hash = analytics.subject_hash(${ERASED}::uuid)`;
});

describe("group commit", () => {
  it("writes the batches waiting behind the writes in flight in one transaction", async () => {
    const writes = new GroupCommit(1);
    const batches = [batch(40), batch(30), batch(20), batch(10)];
    // The first takes the one write slot; the others arrive while it is in flight.
    const stored = await Promise.all(batches.map((b) => writes.store(key(writerA), as(writerA), b)));
    expect(stored).toEqual([40, 30, 20, 10]);
    const [first, ...grouped] = await storedBy(batches);
    expect(first.rows).toBe(40);
    expect(first.xmins).toHaveLength(1);
    expect(grouped.map((g) => g.rows)).toEqual([30, 20, 10]);
    expect(new Set(grouped.flatMap((g) => g.xmins)).size).toBe(1);
    expect(grouped[0].xmins[0]).not.toBe(first.xmins[0]);
  });

  it("writes a batch alone when a write slot is free", async () => {
    const writes = new GroupCommit(2);
    const batches = [batch(5), batch(5)];
    expect(await Promise.all(batches.map((b) => writes.store(key(writerA), as(writerA), b)))).toEqual([5, 5]);
    const [a, b] = await storedBy(batches);
    expect(a.xmins).toHaveLength(1);
    expect(b.xmins).toHaveLength(1);
    expect(a.xmins[0]).not.toBe(b.xmins[0]);
  });

  it("groups batches of the same writer only, oldest first, up to the group's size", async () => {
    const writes = new GroupCommit(1, 25);
    const first = batch(5);
    const fromB = [batch(10), batch(10)];
    const fromA = [batch(10), batch(10), batch(10)];
    const stored = await Promise.all([
      writes.store(key(writerA), as(writerA), first),
      writes.store(key(writerA), as(writerA), fromA[0]),
      writes.store(key(writerB), as(writerB), fromB[0]),
      writes.store(key(writerA), as(writerA), fromA[1]),
      writes.store(key(writerB), as(writerB), fromB[1]),
      writes.store(key(writerA), as(writerA), fromA[2]),
    ]);
    expect(stored).toEqual([5, 10, 10, 10, 10, 10]);
    const [a0, a1, a2] = await storedBy(fromA);
    const [b0, b1] = await storedBy(fromB);
    // A's first two batches fill a group of 25 events at most; its third goes in a later one.
    expect(a0.xmins).toEqual(a1.xmins);
    expect(a2.xmins).not.toEqual(a0.xmins);
    expect(b0.xmins).toEqual(b1.xmins);
    expect(b0.xmins).not.toEqual(a0.xmins);
    expect(b0.xmins).not.toEqual(a2.xmins);
  });

  it("stores the other batches of a group whose COPY meets a retried batch", async () => {
    const retried = batch(10);
    expect(await storeEvents(as(writerA), retried.slice(0, 4))).toBe(4);
    const writes = new GroupCommit(1);
    const fresh = [batch(10), batch(10)];
    const stored = await Promise.all([
      writes.store(key(writerA), as(writerA), batch(3)),
      writes.store(key(writerA), as(writerA), fresh[0]),
      writes.store(key(writerA), as(writerA), retried),
      writes.store(key(writerA), as(writerA), fresh[1]),
    ]);
    expect(stored).toEqual([3, 10, 6, 10]);
    expect((await storedBy([...fresh, retried])).map((s) => s.rows)).toEqual([10, 10, 10]);
  });

  it("drops an erased user's events from their own batch only", async () => {
    await sql`insert into analytics.erased_subjects (subject_hash) values (analytics.subject_hash(${ERASED}::uuid)) on conflict do nothing`;
    const writes = new GroupCommit(1);
    const mixed = [...batch(3, randomUUID()), ...batch(2, ERASED)];
    const others = batch(4, randomUUID());
    const stored = await Promise.all([
      writes.store(key(writerA), as(writerA), batch(1, randomUUID())),
      writes.store(key(writerA), as(writerA), mixed),
      writes.store(key(writerA), as(writerA), others),
    ]);
    expect(stored).toEqual([1, 3, 4]);
    const [m, o] = await storedBy([mixed, others]);
    expect(m.rows).toBe(3);
    expect(o.rows).toBe(4);
    expect(m.xmins).toEqual(o.xmins);
  });

  it("fails every batch of the group on an error a retry may get past, and stores none of them", async () => {
    const writes = new GroupCommit(1);
    const waiting = [batch(5), batch(5)];
    // An erasure holds the gate: the group waits for it (lock_timeout 1 s) and gives up.
    const erasure = await sql.reserve();
    try {
      await erasure`begin`;
      await erasure`lock table analytics.erasure_gate in exclusive mode`;
      const outcomes = await Promise.allSettled([
        writes.store(key(writerA), as(writerA), batch(1)),
        ...waiting.map((b) => writes.store(key(writerA), as(writerA), b)),
      ]);
      expect(outcomes.map((o) => o.status)).toEqual(["rejected", "rejected", "rejected"]);
      for (const o of outcomes.slice(1)) expect((o as PromiseRejectedResult).reason).toMatchObject({ code: "55P03" });
    } finally {
      await erasure`rollback`;
      erasure.release();
    }
    expect((await storedBy(waiting)).map((s) => s.rows)).toEqual([0, 0]);
    // The slot is free again: the next batch is written.
    expect(await writes.store(key(writerA), as(writerA), batch(2))).toBe(2);
  });
});

// Erasure and ingestion are serialised (docs/design.md §12): an event of a user accepted while that
// user's erasure is in progress must not survive it, batches of other users must all be stored, and
// no ingest request (nor another erasure) may wait long on the erasure (a 503 with Retry-After
// instead). Real HTTP against the functions; the erasure is held open in its own transaction.
import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { LOCAL_SECRET_KEY } from "../../stack/local-settings.ts";
import { connect } from "../helpers/db.ts";
import { callFunction } from "../helpers/functions.ts";
import { postEvents, postUntilStored } from "../helpers/ingest-post.ts";
import type { Attempt } from "../helpers/ingest-post.ts";

const sql = connect();
const MARK = `erasure-during-ingest-${randomUUID()}`;
const erased = randomUUID();
const others = Array.from({ length: 6 }, () => randomUUID());

const event = (userId: string) => ({
  event_id: randomUUID(), event_domain: "notifications", event_type: "notification_opened",
  event_timestamp: new Date(Date.now() - 60_000).toISOString(), user_id: userId,
  entity_type: "notification", entity_id: `ntf-${randomUUID()}`, provider: "fcm", request_id: MARK,
});

const bystander = randomUUID();
const timedErase = async (userId: string) => {
  const t0 = performance.now();
  const res = await callFunction("privacy/erase", {
    method: "POST", headers: { authorization: `Bearer ${LOCAL_SECRET_KEY}`, "content-type": "application/json" },
    body: JSON.stringify({ user_id: userId }),
  });
  await res.body?.cancel();
  return { status: res.status, ms: performance.now() - t0 };
};

const storedFor = async (userId: string) =>
  (await sql<{ n: number }[]>`select count(*)::int as n from public.events_raw where user_id = ${userId}`)[0].n;

afterAll(async () => {
  await sql`delete from public.events_raw where request_id = ${MARK}`;
  for (const user of [erased, bystander]) {
    await sql`delete from analytics.erased_subjects where subject_hash = analytics.subject_hash(${user}::uuid)`;
    await sql`delete from analytics.erasure_receipts where subject_hash = analytics.subject_hash(${user}::uuid)`;
  }
  await sql.end();
});

describe("an erasure in progress", () => {
  it("lets no event of the erased user survive, stores every other batch, and never holds a request long", async () => {
    // The function has seen the user before (its hash is cached) and the user has stored events.
    expect((await postEvents([event(erased), event(erased)])).body).toEqual({ accepted: 2, duplicates: 0 });

    // Batches sent while the erasure is open: some mix the erased user with others, some do not.
    const batches = [
      [event(erased), event(others[0]), event(others[1])],
      [event(others[2]), event(erased)],
      [event(others[3]), event(others[4])],
      [event(others[5])],
      [event(erased)],
    ];
    let posted: Promise<Attempt[][]> | undefined;
    let secondErasure: Promise<{ status: number; ms: number }> | undefined;
    await sql.begin(async (tx) => {
      await tx`select analytics.erase_user(${erased}::uuid)`;
      posted = Promise.all(batches.map((b) => postUntilStored(b)));
      secondErasure = timedErase(bystander);
      await tx`select pg_sleep(3)`;
    });
    const attempts = await posted!;
    // Another erasure meanwhile is refused promptly (to be retried), never left waiting.
    const second = await secondErasure!;
    expect(second.status).toBe(503);
    expect(second.ms).toBeLessThan(2500);
    expect((await timedErase(bystander)).status).toBe(200);

    expect(await storedFor(erased)).toBe(0);
    for (const user of others) expect(await storedFor(user), user).toBe(1);
    for (const [i, tries] of attempts.entries()) {
      const last = tries[tries.length - 1];
      expect(last.status, `batch ${i}`).toBe(200);
      const theirs = batches[i].filter((e) => e.user_id !== erased).length;
      expect(last.body, `batch ${i}`).toEqual({ accepted: theirs, duplicates: batches[i].length - theirs });
      // Waiting on the erasure is bounded: a prompt 503 to retry, never a request held for the erasure.
      for (const a of tries) {
        expect(a.ms, `batch ${i}`).toBeLessThan(2500);
        if (a.status === 503) expect(a.retryAfterS).toBeGreaterThanOrEqual(1);
        else expect(a.status).toBe(200);
      }
    }

    const res = await callFunction(`privacy/export?user_id=${erased}`, { headers: { authorization: `Bearer ${LOCAL_SECRET_KEY}` } });
    expect(res.status).toBe(200);
    const { data } = await res.json();
    expect(data.tables["public.events_raw.user_id"]).toEqual([]);
  });
});

describe("ingest transactions", () => {
  it("do not wait for each other on the erasure gate", async () => {
    // An ingest transaction holding its side of the gate (as a slow batch would) does not delay another.
    let answered: Attempt | undefined;
    await sql.begin(async (tx) => {
      await tx`set local role service_role`;
      await tx`select analytics.hold_off_erasures()`;
      answered = await postEvents([event(others[0])]);
    });
    expect(answered!.status).toBe(200);
    expect(answered!.ms).toBeLessThan(1000);
  });
});

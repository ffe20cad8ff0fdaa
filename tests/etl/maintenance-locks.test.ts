// Maintenance never stalls ingestion for more than about a second (docs/design.md §12): with a long read
// of events_raw open, the retention purge's partition drop waits at most 500 ms per attempt, so
// ingest requests keep answering promptly, and the drop goes through once the read has ended.
import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { connect } from "../helpers/db.ts";
import { postEvents } from "../helpers/ingest-post.ts";
import type { Attempt } from "../helpers/ingest-post.ts";

const sql = connect();
const reader = connect({ max: 1 });
const MARK = `maintenance-locks-${randomUUID()}`;
const DAY_MS = 86_400_000;

// A month five months back: its partition is past the 90-day retention.
const month = new Date();
month.setUTCDate(1);
month.setUTCMonth(month.getUTCMonth() - 5);
const MONTH = month.toISOString().slice(0, 10);
const PARTITION = `events_raw_${MONTH.slice(0, 7).replace("-", "_")}`;
const exists = async () => (await sql`select to_regclass(${"public." + PARTITION}) as t`)[0].t !== null;

const event = () => ({
  event_id: randomUUID(), event_domain: "notifications", event_type: "notification_opened",
  event_timestamp: new Date(Date.now() - 60_000).toISOString(), user_id: randomUUID(),
  entity_type: "notification", entity_id: `ntf-${randomUUID()}`, provider: "fcm", request_id: MARK,
});

afterAll(async () => {
  await sql`delete from public.events_raw where request_id = ${MARK}`;
  await sql.unsafe(`drop table if exists public.${PARTITION}`);
  await reader.end();
  await sql.end();
});

describe("the retention purge behind a long read of events_raw", () => {
  it("keeps ingestion answering within a second while it waits, and drops the partition once the read ends", async () => {
    await sql`select analytics.create_events_partition(${MONTH}::date)`;
    await sql`insert into public.events_raw (event_domain, event_type, event_timestamp, provider, request_id)
      values ('payments', 'payment_failed', ${new Date(Date.parse(MONTH) + 3 * DAY_MS).toISOString()}, 'purge-lock-test', ${MARK})`;

    const posts: Attempt[] = [];
    let purge: Promise<{ result: Record<string, string[]> }[]> | undefined;
    let posting: Promise<void> | undefined;
    await reader.begin(async (tx) => {
      await tx`select count(*) from public.events_raw`;
      purge = sql`select analytics.purge_expired_data() as result`.then((rows) => rows as unknown as { result: Record<string, string[]> }[]);
      await new Promise((resolve) => setTimeout(resolve, 300));
      posting = (async () => {
        for (const until = Date.now() + 2500; Date.now() < until;) {
          posts.push(await postEvents([event()]));
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      })();
      await tx`select pg_sleep(3)`;
    });
    await posting;

    for (const p of posts) {
      expect(p.ms).toBeLessThan(1000);
      expect(p.status).toBe(200);
    }
    expect(posts.length).toBeGreaterThanOrEqual(5);
    const [{ result }] = await purge!;
    expect(result.dropped_partitions).toContain(PARTITION);
    expect(result.deferred_partitions).toEqual([]);
    expect(await exists()).toBe(false);
  });
});

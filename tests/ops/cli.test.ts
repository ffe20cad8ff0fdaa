// The operator CLI: usage errors, partitions, erasure.
import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { connect } from "../helpers/db.ts";
import { ops } from "../helpers/ops.ts";

const sql = connect();
afterAll(() => sql.end());

describe("ops usage", () => {
  it.each([
    [["etl"], /--from must be a date/],
    [["etl", "--date", "2026-02-30"], /not a real date/],
    [["etl", "--from", "2026-03-02", "--to", "2026-03-01"], /is after --to/],
    [["erase", "not-a-uuid"], /exactly one user uuid/],
    [["partitions"], /needs --ensure/],
    [["purge", "--raw-days", "89"], /--raw-days must be a number of days from 90 to 730/],
    [["purge", "--raw-days", "2y"], /--raw-days must be a number of days from 90 to 730/],
    [["frobnicate"], /unknown command 'frobnicate'/],
  ])("%j exits 2 with a clear message", (args, message) => {
    const r = ops(...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});

describe("ops partitions --ensure", () => {
  it("creates this month and the next N, idempotently", async () => {
    const r = ops("partitions", "--ensure", "--months", "3");
    expect(r.code).toBe(0);
    const names = [...r.stdout.matchAll(/partition (events_raw_\d{4}_\d{2}) ready/g)].map((m) => m[1]);
    expect(names).toHaveLength(4);
    const existing = await sql<{ relname: string }[]>`select relname from pg_class where relname = any(${names})`;
    expect(existing).toHaveLength(4);
    expect(ops("partitions", "--ensure", "--months", "3").code).toBe(0);
  });
});

describe("ops erase", () => {
  it("erases the user and prints a receipt without the user id", async () => {
    const user = randomUUID();
    await sql`insert into public.events_raw (event_domain, event_type, event_timestamp, user_id) values ('notifications', 'notification_opened', now(), ${user})`;
    const r = ops("erase", user);
    expect(r.code).toBe(0);
    const receipt = JSON.parse(r.stdout);
    expect(receipt.requested_by).toMatch(/^ops-cli:/);
    expect(Object.values(receipt.rows_affected as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(1);
    expect(r.stdout).not.toContain(user);
    expect(r.stderr).toMatch(/erase_user: \d+ rows from public\.events_raw_/);
    const [{ n }] = await sql<{ n: number }[]>`select count(*)::int as n from public.events_raw where user_id = ${user}`;
    expect(n).toBe(0);
  });
});

describe("ops purge", () => {
  it("applies retention and prints what it removed", async () => {
    await sql`update analytics.ops_settings set raw_retention_days = 90`;
    const id = randomUUID();
    // An event 120 days old sits in DEFAULT (no partition that far back) and is past the 90-day retention.
    await sql`insert into public.events_raw (event_id, event_domain, event_type, event_timestamp) values (${id}, 'moderation', 'content_flagged', now() - interval '120 days')`;
    const r = ops("purge");
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.events_raw).toBeGreaterThanOrEqual(1);
    expect(result).toHaveProperty("user_first_seen"); // purge_expired_state ran too
    const [{ n }] = await sql<{ n: number }[]>`select count(*)::int as n from public.events_raw where event_id = ${id}`;
    expect(n).toBe(0);
  });

  it("keeps raw events for --raw-days, and the nightly's first day follows", async () => {
    const [kept, purged] = [randomUUID(), randomUUID()];
    await sql`insert into public.events_raw (event_id, event_domain, event_type, event_timestamp) values
      (${kept}, 'moderation', 'content_flagged', now() - interval '140 days'),
      (${purged}, 'moderation', 'content_flagged', now() - interval '160 days')`;
    try {
      const r = ops("purge", "--raw-days", "150");
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout).raw_retention_days).toBe(150);
      const left = await sql<{ id: string }[]>`select event_id::text as id from public.events_raw where event_id in (${kept}, ${purged})`;
      expect(left.map((x) => x.id)).toEqual([kept]);
      const [{ first }] = await sql<{ first: string }[]>`select analytics.raw_retention_first_day('UTC')::text as first`;
      expect(first).toBe(new Date(Date.now() - 149 * 86_400_000).toISOString().slice(0, 10));
    } finally {
      await sql`update analytics.ops_settings set raw_retention_days = 90`;
    }
    expect(JSON.parse(ops("purge").stdout).raw_retention_days).toBe(90);
    const [{ n }] = await sql<{ n: number }[]>`select count(*)::int as n from public.events_raw where event_id in (${kept}, ${purged})`;
    expect(n).toBe(0);
  });
});

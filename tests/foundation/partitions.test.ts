// Partition management: idempotent creation, the DEFAULT catch-all, and moving rows out of it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "../helpers/db.ts";

const sql = connect();
// A month far from any partition the migrations or other tests create.
const MONTH = "2031-03-01";
const PARTITION = "events_raw_2031_03";

async function dropTestPartition() {
  await sql.unsafe(`drop table if exists public.${PARTITION}`);
  await sql`delete from public.events_raw_default where event_timestamp >= '2031-03-01' and event_timestamp < '2031-05-01'`;
}

beforeAll(dropTestPartition);
afterAll(async () => {
  await dropTestPartition();
  await sql.end();
});

const where = async (eventId: string) =>
  (await sql<{ part: string }[]>`select tableoid::regclass::text as part from public.events_raw where event_id = ${eventId}`)[0]?.part;

describe("events_raw partitions", () => {
  it("has partitions for the current month and the next two", async () => {
    const rows = await sql<{ name: string }[]>`
      select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
      where i.inhparent = 'public.events_raw'::regclass`;
    const names = rows.map((r) => r.name);
    const now = new Date();
    for (let m = 0; m < 3; m++) {
      const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + m, 1));
      expect(names).toContain(`events_raw_${d.getUTCFullYear()}_${String(d.getUTCMonth() + 1).padStart(2, "0")}`);
    }
    expect(names).toContain("events_raw_default");
  });

  it("stores an event outside every monthly partition in DEFAULT instead of failing", async () => {
    const [{ event_id }] = await sql<{ event_id: string }[]>`
      insert into public.events_raw (event_domain, event_type, event_timestamp, metadata)
      values ('orders', 'order_created', '2031-03-15T10:00:00Z', '{}') returning event_id`;
    expect(await where(event_id)).toBe("events_raw_default");
  });

  it("creates a partition idempotently and moves that month's rows out of DEFAULT", async () => {
    const [{ event_id: inMonth }] = await sql<{ event_id: string }[]>`
      insert into public.events_raw (event_domain, event_type, event_timestamp)
      values ('calls', 'call_started', '2031-03-31T23:59:59.999Z') returning event_id`;
    const [{ event_id: nextMonth }] = await sql<{ event_id: string }[]>`
      insert into public.events_raw (event_domain, event_type, event_timestamp)
      values ('calls', 'call_started', '2031-04-01T00:00:00Z') returning event_id`;
    const before = await sql<{ n: number }[]>`select count(*)::int as n from public.events_raw where event_timestamp >= '2031-03-01' and event_timestamp < '2031-04-01'`;

    const [{ name }] = await sql<{ name: string }[]>`select analytics.create_events_partition(${MONTH}::date) as name`;
    expect(name).toBe(PARTITION);
    const [{ name: again }] = await sql<{ name: string }[]>`select analytics.create_events_partition('2031-03-20'::date) as name`;
    expect(again).toBe(PARTITION);

    expect(await where(inMonth)).toBe(PARTITION);
    expect(await where(nextMonth)).toBe("events_raw_default");
    const after = await sql<{ n: number }[]>`select count(*)::int as n from public.${sql(PARTITION)}`;
    expect(after[0].n).toBe(before[0].n);
    const [{ left }] = await sql<{ left: number }[]>`
      select count(*)::int as left from public.events_raw_default where event_timestamp >= '2031-03-01' and event_timestamp < '2031-04-01'`;
    expect(left).toBe(0);
  });

  it("gives a new partition RLS and no grants to application roles", async () => {
    await sql`select analytics.create_events_partition(${MONTH}::date)`;
    const [{ rls }] = await sql<{ rls: boolean }[]>`select relrowsecurity as rls from pg_class where relname = ${PARTITION}`;
    expect(rls).toBe(true);
    const grants = await sql`select grantee from information_schema.role_table_grants
      where table_name = ${PARTITION} and grantee in ('anon', 'authenticated', 'public')`;
    expect(grants).toEqual([]);
  });
});

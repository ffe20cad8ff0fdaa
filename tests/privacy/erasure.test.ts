// GDPR erasure and subject-access export through the privacy function, checked in the database.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mintRoleToken, mintUserToken } from "../../stack/keys.ts";
import { LOCAL_ANON_KEY, LOCAL_SECRET_KEY } from "../../stack/local-settings.ts";
import { connect } from "../helpers/db.ts";
import { callFunction, clientWithToken } from "../helpers/functions.ts";

const sql = connect();
const erased = randomUUID();
const bystander = randomUUID();
// A day far in the past lands in DEFAULT: erasure must reach every partition.
const OLD = "2030-01-15T12:00:00Z";
// Activity pairs on days far apart (the key starts with the day, and erasure and export probe every
// stored day): likely the table's oldest and newest days, and one in between.
const ACTIVITY_DAYS = ["2026-01-02", "2030-01-15", "2090-06-01"];

// uuid columns that are not user ids: identifiers of events, receipts, ... Anything else must be
// listed by analytics.user_data_columns, or erasure would miss it.
const NOT_USER_IDS = new Set(["event_id", "receipt_id", "version", "denominator_event_id"]); // version: analytics.suppression_list_version; denominator_event_id: analytics.etl_share_links

async function seed() {
  const now = new Date().toISOString();
  await sql`insert into public.events_raw (event_domain, event_type, event_timestamp, user_id, entity_type, entity_id, service_code, metadata) values
    ('orders', 'order_created', ${now}, ${erased}, 'order', 'o-erase-1', 'tarot', '{}'),
    ('orders', 'order_created', ${OLD}, ${erased}, 'order', 'o-erase-2', 'tarot', '{}'),
    ('orders', 'order_created', ${now}, ${bystander}, 'order', 'o-keep-1', 'tarot', '{}'),
    ('orders', 'order_assigned', ${now}, ${bystander}, 'order', 'o-keep-1', 'tarot', ${sql.json({ reader_id: erased, channel: "app" })})`;
  await sql`select analytics.consume_ingest_quota(${`user:${erased}`}, 1, 1, 100, 1000)`;
  await sql`select analytics.consume_ingest_quota(${`user:${bystander}`}, 1, 1, 100, 1000)`;
  await sql`insert into public.metrics_daily_fulfillment (metric_date, service_code, reader_id, orders_assigned) values
    ('2030-01-15', 'tarot', ${erased}, 1), ('2030-01-15', 'tarot', ${bystander}, 2), ('2030-01-15', 'tarot', null, 3)`;
  for (const user of [erased, bystander]) {
    await sql`insert into analytics.user_daily_activity (user_id, activity_date) select ${user}, d from unnest(${ACTIVITY_DAYS}::date[]) as d`;
    await sql`insert into analytics.user_first_seen (user_id, first_seen_date, last_seen_date) values (${user}, ${ACTIVITY_DAYS[0]}, ${ACTIVITY_DAYS[2]})`;
  }
}

async function countsFor(userId: string) {
  const cols = await sql<{ table_schema: string; table_name: string; column_name: string }[]>`
    select * from analytics.user_data_columns`;
  const counts: Record<string, number> = {};
  for (const c of cols) {
    const [{ n }] = await sql.unsafe(`select count(*)::int as n from "${c.table_schema}"."${c.table_name}" where "${c.column_name}" = $1`, [userId]);
    counts[`${c.table_schema}.${c.table_name}.${c.column_name}`] = n;
  }
  const [{ n }] = await sql<{ n: number }[]>`select count(*)::int as n from public.events_raw where metadata ->> 'reader_id' = ${userId}`;
  counts["metadata.reader_id"] = n;
  return counts;
}

beforeAll(seed);
afterAll(async () => {
  await sql`delete from public.events_raw where entity_id like 'o-erase-%' or entity_id like 'o-keep-%'`;
  await sql`delete from public.metrics_daily_fulfillment where metric_date = '2030-01-15'`;
  await sql`delete from analytics.ingest_rate_limits where user_id in (${erased}, ${bystander})`;
  await sql`delete from analytics.user_daily_activity where user_id in (${erased}, ${bystander}) and activity_date = any(${ACTIVITY_DAYS}::date[])`;
  await sql`delete from analytics.user_first_seen where user_id in (${erased}, ${bystander})`;
  await sql.end();
});

describe("user-id columns", () => {
  it("every uuid column in public and analytics is either erasable or known not to be a user id", async () => {
    const rows = await sql<{ col: string; erasable: boolean }[]>`
      select format('%s.%s.%s', n.nspname, c.relname, a.attname) as col,
             exists (select 1 from analytics.user_data_columns u
                     where u.table_schema = n.nspname and u.table_name = c.relname and u.column_name = a.attname) as erasable,
             a.attname::text as name
      from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
      where n.nspname in ('public', 'analytics') and c.relkind in ('r', 'p') and not c.relispartition
        and a.attnum > 0 and not a.attisdropped and a.atttypid = 'uuid'::regtype`;
    const unclassified = rows.filter((r) => !r.erasable && !NOT_USER_IDS.has(r.col.split(".")[2]));
    expect(unclassified.map((r) => r.col)).toEqual([]);
    expect(rows.filter((r) => r.erasable).length).toBeGreaterThanOrEqual(5);
  });
});

describe("privacy/export", () => {
  it("returns exactly the user's rows", async () => {
    const token = await mintRoleToken("admin");
    const res = await callFunction(`privacy/export?user_id=${erased}`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    const { data } = await res.json();
    expect(data.user_id).toBe(erased);
    const events = data.tables["public.events_raw.user_id"] as { entity_id: string; user_id: string }[];
    expect(events.map((e) => e.entity_id).sort()).toEqual(["o-erase-1", "o-erase-2"]);
    expect(events.every((e) => e.user_id === erased)).toBe(true);
    expect(data.tables["public.events_raw.metadata.reader_id"].map((e: { entity_id: string }) => e.entity_id)).toEqual(["o-keep-1"]);
    expect(data.tables["public.metrics_daily_fulfillment.reader_id"]).toHaveLength(1);
    const days = data.tables["analytics.user_daily_activity.user_id"] as { user_id: string; activity_date: string }[];
    expect(days.map((d) => d.activity_date).sort()).toEqual(ACTIVITY_DAYS);
    expect(days.every((d) => d.user_id === erased)).toBe(true);
    // The row's fields once: not again in its stored API form.
    expect(Object.keys(data.tables["public.metrics_daily_fulfillment.reader_id"][0])).not.toContain("api_row");
    expect(JSON.stringify(data.tables["public.events_raw.user_id"])).not.toContain(bystander);
  });
});

describe("privacy/erase", () => {
  it("refuses every non-admin role and the anon key", async () => {
    for (const role of ["client", "reader", "monitor"] as const) {
      const { error } = await clientWithToken(await mintRoleToken(role)).functions.invoke("privacy/erase", { body: { user_id: erased } });
      expect((error as { context: Response }).context.status, role).toBe(403);
    }
    const spoofed = await mintUserToken({ appRole: "client", userMetadata: { role: "admin" } });
    const res = await callFunction("privacy/erase", {
      method: "POST", headers: { authorization: `Bearer ${spoofed}`, "content-type": "application/json" }, body: JSON.stringify({ user_id: erased }),
    });
    expect(res.status).toBe(403);
    const anon = await callFunction("privacy/erase", {
      method: "POST", headers: { authorization: `Bearer ${LOCAL_ANON_KEY}`, "content-type": "application/json" }, body: JSON.stringify({ user_id: erased }),
    });
    expect(anon.status).toBe(401);
    expect((await countsFor(erased))["public.events_raw.user_id"]).toBe(2);
  });

  it("rejects a body without a valid uuid", async () => {
    const res = await callFunction("privacy/erase", {
      method: "POST", headers: { authorization: `Bearer ${LOCAL_SECRET_KEY}`, "content-type": "application/json" }, body: JSON.stringify({ user_id: "nope" }),
    });
    expect(res.status).toBe(400);
    expect((await res.json()).error.details[0].path).toBe("body.user_id");
  });

  it("removes the user from every user-level table, keeps others, and writes a receipt without the id", async () => {
    const before = await countsFor(bystander);
    const { data, error } = await clientWithToken(await mintRoleToken("superadmin")).functions.invoke("privacy/erase", { body: { user_id: erased } });
    expect(error).toBeNull();
    const receipt = data.data;
    expect(receipt.rows_affected["public.events_raw_default.user_id"]).toBe(1);
    expect(receipt.rows_affected["public.events_raw.metadata.reader_id"]).toBe(1);
    expect(receipt.rows_affected["public.metrics_daily_fulfillment.reader_id"]).toBe(1);
    expect(receipt.rows_affected["analytics.ingest_rate_limits.user_id"]).toBe(1);
    expect(receipt.rows_affected["analytics.user_daily_activity.user_id"]).toBe(ACTIVITY_DAYS.length);
    expect(receipt.rows_affected["analytics.user_first_seen.user_id"]).toBe(1);
    expect(receipt.requested_by).toMatch(/^superadmin:/);

    expect(Object.values(await countsFor(erased)).every((n) => n === 0)).toBe(true);
    expect(await countsFor(bystander)).toEqual(before);
    const [kept] = await sql<{ metadata: Record<string, unknown> }[]>`
      select metadata from public.events_raw where entity_id = 'o-keep-1' and event_type = 'order_assigned'`;
    expect(kept.metadata).toEqual({ channel: "app" });
    const [{ n: totals }] = await sql<{ n: number }[]>`
      select count(*)::int as n from public.metrics_daily_fulfillment where metric_date = '2030-01-15' and reader_id is null`;
    expect(totals).toBe(1);

    const stored = await sql<{ row: string }[]>`select to_jsonb(r)::text as row from analytics.erasure_receipts r where receipt_id = ${receipt.receipt_id}`;
    expect(stored).toHaveLength(1);
    expect(stored[0].row).not.toContain(erased);
    const [{ suppressed }] = await sql<{ suppressed: boolean }[]>`
      select exists (select 1 from analytics.erased_subjects where subject_hash = analytics.subject_hash(${erased}::uuid)) as suppressed`;
    expect(suppressed).toBe(true);
  });

  it("is safe to replay", async () => {
    const res = await callFunction("privacy/erase", {
      method: "POST", headers: { authorization: `Bearer ${LOCAL_SECRET_KEY}`, "content-type": "application/json" }, body: JSON.stringify({ user_id: erased }),
    });
    expect(res.status).toBe(200);
    const { data } = await res.json();
    expect(Object.values(data.rows_affected as Record<string, number>).every((n) => n === 0)).toBe(true);
  });
});

describe("ingest after erasure", () => {
  it("drops a replayed batch's events of the erased user and keeps the others", async () => {
    const at = new Date(Date.now() - 60_000).toISOString();
    const event = (userId: string, entity: string) => ({
      event_id: randomUUID(), event_domain: "notifications", event_type: "notification_opened",
      event_timestamp: at, user_id: userId, entity_type: "notification", entity_id: entity,
    });
    const batch = [event(erased, "o-erase-replay"), event(bystander, "o-keep-replay")];
    const { data, error } = await clientWithToken(LOCAL_SECRET_KEY).functions.invoke("ingest", { body: { events: batch } });
    expect(error).toBeNull();
    expect(data).toEqual({ accepted: 1, duplicates: 1 });
    const rows = await sql<{ user_id: string }[]>`select user_id from public.events_raw where entity_id in ('o-erase-replay', 'o-keep-replay')`;
    expect(rows.map((r) => r.user_id)).toEqual([bystander]);
  });

  it("drops the events of a user erased after the function has seen (and cached the hash of) them", async () => {
    const user = randomUUID();
    const event = (entity: string) => ({
      event_id: randomUUID(), event_domain: "notifications", event_type: "notification_opened",
      event_timestamp: new Date(Date.now() - 60_000).toISOString(), user_id: user, entity_type: "notification", entity_id: entity,
    });
    const ingest = (body: Record<string, unknown>) => clientWithToken(LOCAL_SECRET_KEY).functions.invoke("ingest", { body });
    try {
      expect((await ingest({ events: [event("o-erase-cached-1")] })).data).toEqual({ accepted: 1, duplicates: 0 });
      const res = await callFunction("privacy/erase", {
        method: "POST", headers: { authorization: `Bearer ${LOCAL_SECRET_KEY}`, "content-type": "application/json" }, body: JSON.stringify({ user_id: user }),
      });
      expect(res.status).toBe(200);
      expect((await ingest({ events: [event("o-erase-cached-2"), event("o-erase-cached-3")] })).data).toEqual({ accepted: 0, duplicates: 2 });
      const [{ n }] = await sql<{ n: number }[]>`select count(*)::int as n from public.events_raw where user_id = ${user}`;
      expect(n).toBe(0);
    } finally {
      await sql`delete from analytics.erased_subjects where subject_hash = analytics.subject_hash(${user})`;
      await sql`delete from analytics.erasure_receipts where subject_hash = analytics.subject_hash(${user})`;
    }
  });
});

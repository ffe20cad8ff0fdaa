// The schema migrations: catalog, RLS everywhere, and no access for anon/authenticated by default.
import { readdirSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { asRole, connect } from "../helpers/db.ts";

const sql = connect();
afterAll(() => sql.end());

// docs/design.md §4, written out independently of the migration that seeds it.
const CATALOG: Record<string, string[]> = {
  orders: ["order_created", "order_assigned", "order_submitted", "order_approved", "order_rejected", "order_completed", "order_cancelled"],
  payments: ["payment_attempted", "payment_succeeded", "payment_failed", "refund_issued"],
  calls: ["call_started", "call_answered", "call_ended", "call_dropped"],
  notifications: ["notification_sent", "notification_delivered", "notification_opened", "notification_opted_out"],
  moderation: ["content_flagged", "moderation_decision", "appeal_submitted"],
  content: ["horoscope_uploaded", "horoscope_approved", "horoscope_rejected", "horoscope_published", "horoscope_listened"],
};

describe("migrations", () => {
  it("every migration file is recorded as applied", async () => {
    const files = readdirSync("supabase/migrations").filter((f) => f.endsWith(".sql")).map((f) => f.split("_")[0]).sort();
    const rows = await sql<{ version: string }[]>`select version from supabase_migrations.schema_migrations order by version`;
    expect(rows.map((r) => r.version)).toEqual(files);
  });
});

describe("event catalog", () => {
  it("holds exactly the event types of the design, in the right domains", async () => {
    const rows = await sql<{ event_domain: string; event_type: string }[]>`
      select event_domain, event_type from public.event_schema_versions order by event_type`;
    const actual: Record<string, string[]> = {};
    for (const r of rows) (actual[r.event_domain] ??= []).push(r.event_type);
    for (const d of Object.keys(actual)) actual[d].sort();
    const expected = Object.fromEntries(Object.entries(CATALOG).map(([d, t]) => [d, [...t].sort()]));
    expect(actual).toEqual(expected);
  });

  it("declares the fields the KPIs read", async () => {
    const rows = await sql<{ event_type: string; metadata_fields: Record<string, { type: string }> }[]>`
      select event_type, metadata_fields from public.event_schema_versions`;
    const meta = Object.fromEntries(rows.map((r) => [r.event_type, r.metadata_fields]));
    expect(meta.order_assigned.reader_id.type).toBe("uuid");
    expect(meta.payment_attempted.is_fallback.type).toBe("boolean");
    expect(meta.call_ended.recorded.type).toBe("boolean");
    expect(meta.horoscope_listened.listen_percent.type).toBe("percent");
    expect(meta.horoscope_published.zodiac_sign.type).toBe("zodiac_sign");
  });
});

describe("row level security", () => {
  it("is enabled on every table in public, partitions included", async () => {
    const rows = await sql<{ relname: string; relrowsecurity: boolean }[]>`
      select c.relname, c.relrowsecurity from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind in ('r', 'p')`;
    expect(rows.length).toBeGreaterThanOrEqual(13);
    expect(rows.filter((r) => !r.relrowsecurity).map((r) => r.relname)).toEqual([]);
  });

  it("gives anon no privilege on any table in public", async () => {
    const rows = await sql<{ table_name: string; privilege_type: string }[]>`
      select table_name, privilege_type from information_schema.role_table_grants
      where table_schema = 'public' and grantee in ('anon', 'public')`;
    expect(rows).toEqual([]);
  });

  it("denies anon reading events_raw and every partition", async () => {
    const tables = await sql<{ relname: string }[]>`
      select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relname like 'events_raw%' and c.relkind in ('r', 'p')`;
    for (const { relname } of tables) {
      await expect(asRole(sql, "anon", { role: "anon" }, (tx) => tx.unsafe(`select * from public.${relname}`))).rejects.toThrow(/permission denied/);
    }
  });

  it("gives no application role write access to any table", async () => {
    const rows = await sql<{ table_name: string; grantee: string; privilege_type: string }[]>`
      select table_name, grantee, privilege_type from information_schema.role_table_grants
      where table_schema = 'public' and grantee in ('anon', 'authenticated')
        and privilege_type in ('INSERT', 'UPDATE', 'DELETE', 'TRUNCATE')`;
    expect(rows).toEqual([]);
  });
});

// Valid batches through supabase-js functions.invoke: every domain lands in events_raw as sent.
import { describe, expect, it } from "vitest";
import { LOCAL_SECRET_KEY, LOCAL_SERVICE_ROLE_KEY } from "../../stack/local-settings.ts";
import { clientWithToken } from "../helpers/functions.ts";
import { countRows, EVENT_TYPES, ingestTestContext, sampleEvent } from "./events.ts";

const { sql, REQ, USER } = ingestTestContext("happy");


const DOMAINS = ["orders", "payments", "calls", "notifications", "moderation", "content"];

describe("ingest happy path", () => {
  it.each(DOMAINS)("stores every %s event type with the values sent", async (domain) => {
    const events = EVENT_TYPES.map((t) => sampleEvent(t, REQ, USER)).filter((e) => e.event_domain === domain);
    expect(events.length).toBeGreaterThan(0);
    const { data, error } = await clientWithToken(LOCAL_SECRET_KEY).functions.invoke("ingest", { body: { events } });
    expect(error).toBeNull();
    expect(data).toEqual({ accepted: events.length, duplicates: 0 });

    const rows = await sql<Record<string, any>[]>`
      select * from public.events_raw where event_id in ${sql(events.map((e) => e.event_id as string))}`;
    expect(rows).toHaveLength(events.length);
    for (const sent of events) {
      const row = rows.find((r) => r.event_id === sent.event_id)!;
      expect(row.event_domain).toBe(domain);
      expect(row.event_type).toBe(sent.event_type);
      expect(row.event_timestamp.toISOString()).toBe(sent.event_timestamp);
      expect(row.user_id).toBe(USER);
      for (const f of ["entity_id", "status", "provider", "service_code", "country_code", "amount_cents", "currency", "duration_seconds", "request_id"]) {
        expect(row[f], f).toBe(sent[f] ?? null);
      }
      expect(row.metadata).toEqual(sent.metadata ?? {});
      // The catalog's entity type is stored even when the sender left it out.
      expect(row.entity_type).toBe(sent.entity_type ?? { orders: "order", payments: "payment", calls: "call", notifications: "notification", content: "horoscope" }[domain]);
    }
  });

  it("accepts the legacy service_role JWT and normalises country_code and currency case", async () => {
    const e = sampleEvent("payment_succeeded", REQ, USER, { country_code: "sa", currency: "sar" });
    const { data, error } = await clientWithToken(LOCAL_SERVICE_ROLE_KEY).functions.invoke("ingest", { body: { events: [e] } });
    expect(error).toBeNull();
    expect(data).toEqual({ accepted: 1, duplicates: 0 });
    const [row] = await sql`select country_code, currency from public.events_raw where event_id = ${e.event_id as string}`;
    expect(row).toEqual({ country_code: "SA", currency: "SAR" });
  });

  it("generates an event_id when the sender gives none", async () => {
    const e = sampleEvent("order_created", REQ, USER);
    delete e.event_id;
    const before = await countRows(sql, REQ);
    const { data } = await clientWithToken(LOCAL_SECRET_KEY).functions.invoke("ingest", { body: { events: [e, { ...e }] } });
    // Without ids the two copies cannot be recognised as the same event: both are stored.
    expect(data).toEqual({ accepted: 2, duplicates: 0 });
    expect(await countRows(sql, REQ)).toBe(before + 2);
  });

  it("never stores an IP address or user agent", async () => {
    const cols = await sql<{ column_name: string }[]>`
      select column_name from information_schema.columns where table_schema = 'public' and table_name = 'events_raw'`;
    expect(cols.map((c) => c.column_name).filter((c) => /ip|agent|addr/.test(c))).toEqual([]);
  });
});

// The typed emitter against the real function, plus its retry paths through a real local HTTP
// server that answers 429/503 before forwarding to the function.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { AnalyticsEmitter, emitAnalyticsEvent } from "../../client/analytics-emitter.ts";
import type { EmitterError } from "../../client/analytics-emitter.ts";
import { buildEvent, EVENT_CATALOG } from "../../client/event-catalog.ts";
import { mintUserToken } from "../../stack/keys.ts";
import { LOCAL_FUNCTIONS_URL, LOCAL_SECRET_KEY } from "../../stack/local-settings.ts";
import { countRows, ingestTestContext } from "./events.ts";

const { sql, REQ, USER } = ingestTestContext("emitter");
const INGEST_URL = `${LOCAL_FUNCTIONS_URL}/ingest`;


const emitter = (opts: Partial<ConstructorParameters<typeof AnalyticsEmitter>[0]> = {}) => {
  const errors: EmitterError[] = [];
  const e = new AnalyticsEmitter({ url: INGEST_URL, token: LOCAL_SECRET_KEY, flushIntervalMs: 0, baseDelayMs: 20, onError: (err) => errors.push(err), ...opts });
  return { e, errors };
};

/** A real HTTP server that fails `failures` times (429 with Retry-After, then 503) before proxying to the function. */
async function flakyProxy(failures: number) {
  let calls = 0;
  const server = createServer(async (req, res) => {
    calls++;
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (calls <= failures) {
      if (calls === 1) res.writeHead(429, { "retry-after": "1", "content-type": "application/json" });
      else res.writeHead(503, { "content-type": "application/json" });
      return res.end(JSON.stringify({ error: { code: "try_later", message: "try later" } }));
    }
    const upstream = await fetch(INGEST_URL, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: String(req.headers.authorization) },
      body: Buffer.concat(chunks),
    });
    res.writeHead(upstream.status, { "content-type": "application/json" });
    res.end(await upstream.text());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/functions/v1/ingest`;
  return { url, calls: () => calls, close: () => new Promise((r) => server.close(r)) };
}

describe("analytics emitter", () => {
  it("mirrors the database catalog (types, domains, user-initiated flags, required fields)", async () => {
    const rows = await sql<{ event_type: string; event_domain: string; user_initiated: boolean; required_fields: string[] }[]>`
      select distinct on (event_type) event_type, event_domain, user_initiated, required_fields
      from public.event_schema_versions order by event_type, version desc`;
    const fromDb = Object.fromEntries(rows.map((r) => [r.event_type, { domain: r.event_domain, userInitiated: r.user_initiated, required: [...r.required_fields].sort() }]));
    const fromTs = Object.fromEntries(Object.entries(EVENT_CATALOG).map(([t, v]) => [t, { domain: v.domain, userInitiated: v.userInitiated, required: [...v.required].sort() }]));
    expect(fromTs).toEqual(fromDb);
  });

  it("builds typed events with a fresh event_id and the catalog's domain", () => {
    const a = buildEvent("horoscope_listened", { entity_id: "h1", user_id: USER, metadata: { listen_percent: 50 } });
    const b = buildEvent("horoscope_listened", { entity_id: "h1", user_id: USER, metadata: { listen_percent: 50 } });
    expect(a.event_domain).toBe("content");
    expect(a.event_id).not.toBe(b.event_id);
    expect(Date.parse(a.event_timestamp)).toBeGreaterThan(Date.now() - 5000);
    // Compile-time checks (npm run typecheck fails if any of these lines type-checks).
    const typeChecks = () => {
      // @ts-expect-error service_code is required for order_created
      buildEvent("order_created", { entity_id: "o1", user_id: USER });
      // @ts-expect-error order_assigned needs metadata.reader_id
      buildEvent("order_assigned", { entity_id: "o1", service_code: "tarot", metadata: {} });
      // @ts-expect-error listen_percent must be a number
      buildEvent("horoscope_listened", { entity_id: "h", user_id: USER, metadata: { listen_percent: "50" } });
      // @ts-expect-error not a catalog type
      buildEvent("order_teleported", {});
    };
    expect(typeof typeChecks).toBe("function");
  });

  it("batches events to the real function and stores each once", async () => {
    const { e, errors } = emitter({ batchSize: 10 });
    const ids: (string | null)[] = [];
    for (let i = 0; i < 25; i++) {
      ids.push(e.emit("order_created", { entity_id: `ord-${i}`, user_id: USER, service_code: "tarot_reading", request_id: REQ }));
    }
    ids.push(emitAnalyticsEvent(e, "payment_succeeded", {
      entity_id: "pay-1", provider: "stripe", country_code: "SA", amount_cents: 5000, currency: "SAR", request_id: REQ,
    }));
    ids.push(e.emit("horoscope_published", { entity_id: "hor-1", metadata: { zodiac_sign: "leo" }, request_id: REQ }));
    await e.close();
    expect(errors).toEqual([]);
    expect(e.pending).toBe(0);
    expect(await countRows(sql, REQ)).toBe(27);
    const stored = await sql<{ event_id: string }[]>`select event_id from public.events_raw where request_id = ${REQ}`;
    expect(new Set(stored.map((r) => r.event_id))).toEqual(new Set(ids));
  });

  it("flushes on its interval without an explicit flush()", async () => {
    const { e, errors } = emitter({ flushIntervalMs: 50 });
    const id = e.emit("notification_sent", { entity_id: "ntf-1", user_id: USER, provider: "fcm", request_id: REQ });
    for (let i = 0; i < 100 && (await sql`select 1 from public.events_raw where event_id = ${id!}`).length === 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect((await sql`select 1 from public.events_raw where event_id = ${id!}`).length).toBe(1);
    await e.close();
    expect(errors).toEqual([]);
  });

  it("retries on 429 (honouring Retry-After) and 503, then stores the batch once", async () => {
    const proxy = await flakyProxy(2);
    try {
      const { e, errors } = emitter({ url: proxy.url });
      const before = await countRows(sql, REQ);
      const t0 = Date.now();
      e.emit("call_started", { entity_id: "call-1", service_code: "live_call", provider: "twilio", request_id: REQ });
      e.emit("call_answered", { entity_id: "call-1", service_code: "live_call", provider: "twilio", request_id: REQ });
      await e.flush();
      expect(Date.now() - t0).toBeGreaterThanOrEqual(1000); // Retry-After: 1
      expect(proxy.calls()).toBe(3);
      expect(errors).toEqual([]);
      expect(await countRows(sql, REQ)).toBe(before + 2);
    } finally {
      await proxy.close();
    }
  });

  it("gives up after maxRetries on network errors and reports instead of throwing", async () => {
    const { e, errors } = emitter({ url: "http://127.0.0.1:9/functions/v1/ingest", maxRetries: 2, baseDelayMs: 5 });
    expect(() => e.emit("order_created", { entity_id: "o", user_id: USER, service_code: "x", request_id: REQ })).not.toThrow();
    await expect(e.flush()).resolves.toBeUndefined();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ status: null, code: "network_error" });
    expect(errors[0].events).toHaveLength(1);
  });

  it("does not retry a rejected batch and passes the details to onError", async () => {
    const proxy = await flakyProxy(0);
    try {
      const { e, errors } = emitter({ url: proxy.url });
      e.emit("horoscope_listened", { entity_id: "h", user_id: USER, metadata: { listen_percent: 140 }, request_id: REQ });
      await e.flush();
      expect(proxy.calls()).toBe(1);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ status: 400, code: "invalid_events", details: [{ index: 0, path: "metadata.listen_percent" }] });
    } finally {
      await proxy.close();
    }
  });

  it("works with a user token for client-emittable events", async () => {
    const token = await mintUserToken({ sub: USER, appRole: "client" });
    const { e, errors } = emitter({ token: () => token });
    const id = e.emit("notification_opened", { entity_id: "ntf-2", user_id: USER, request_id: REQ });
    await e.close();
    expect(errors).toEqual([]);
    expect((await sql`select user_id from public.events_raw where event_id = ${id!}`)[0].user_id).toBe(USER);
  });

  it("never throws from a failing onError or after close()", async () => {
    const e = new AnalyticsEmitter({ url: "http://127.0.0.1:9/x", token: "t", flushIntervalMs: 0, maxRetries: 0, onError: () => { throw new Error("boom"); } });
    await e.close();
    expect(e.emit("order_created", { entity_id: "o", user_id: USER, service_code: "x" })).toBeNull();
  });
});

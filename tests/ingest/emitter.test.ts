// The typed emitter against the real function (real HTTP, real database): batches, partial
// rejections resent without their bad events, 429 from the real quota honoured, 5xx retried
// through a real local HTTP server in front of the function, a file-backed queue that survives a
// killed process, and flushing when a Node process ends.
import { spawn } from "node:child_process";
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { AnalyticsEmitter, emitAnalyticsEvent, retryAfterMs } from "../../client/analytics-emitter.ts";
import type { EmitterError, EmitterOptions } from "../../client/analytics-emitter.ts";
import { buildEvent, EVENT_CATALOG } from "../../client/event-catalog.ts";
import { FileQueueStore } from "../../client/file-queue-store.ts";
import { mintUserToken } from "../../stack/keys.ts";
import { LOCAL_FUNCTIONS_URL, LOCAL_SECOND_SECRET_KEY, LOCAL_SECRET_KEY } from "../../stack/local-settings.ts";
import { DEFAULT_LIMITS } from "../../supabase/functions/_shared/rate-limit.ts";
import { ingestProxy } from "../helpers/ingest-proxy.ts";
import { countRows, ingestTestContext } from "./events.ts";

const { sql, REQ, USER } = ingestTestContext("emitter");
const INGEST_URL = `${LOCAL_FUNCTIONS_URL}/ingest`;
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const SECOND_KEY_BUCKET = "service:secret:second";
const tmp = mkdtempSync(join(tmpdir(), "emitter-test-"));

afterAll(async () => {
  rmSync(tmp, { recursive: true, force: true });
  await sql`delete from analytics.ingest_rate_limits where bucket = ${SECOND_KEY_BUCKET}`;
});

const emitter = (opts: Partial<EmitterOptions> = {}) => {
  const errors: EmitterError[] = [];
  const e = new AnalyticsEmitter({ url: INGEST_URL, token: LOCAL_SECRET_KEY, flushIntervalMs: 0, baseDelayMs: 20, onError: (err) => errors.push(err), ...opts });
  return { e, errors };
};

const storedIds = async () => new Set((await sql<{ event_id: string }[]>`select event_id from public.events_raw where request_id = ${REQ}`).map((r) => r.event_id));

const order = (i: number, extra: Record<string, unknown> = {}) =>
  ({ entity_id: `ord-${i}`, user_id: USER, service_code: "tarot_reading", request_id: REQ, ...extra });

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
    for (let i = 0; i < 25; i++) ids.push(e.emit("order_created", order(i)));
    ids.push(emitAnalyticsEvent(e, "payment_succeeded", {
      entity_id: "pay-1", provider: "stripe", country_code: "SA", amount_cents: 5000, currency: "SAR", request_id: REQ,
    }));
    ids.push(e.emit("horoscope_published", { entity_id: "hor-1", metadata: { zodiac_sign: "leo" }, request_id: REQ }));
    await e.close();
    expect(errors).toEqual([]);
    expect(e.pending).toBe(0);
    expect(await storedIds()).toEqual(new Set(ids));
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

  it("stores the valid events of a batch the function rejects, and drops and reports only the invalid ones", async () => {
    const proxy = await ingestProxy(INGEST_URL);
    try {
      const { e, errors } = emitter({ url: proxy.url });
      const before = await countRows(sql, REQ);
      const ids: (string | null)[] = [];
      for (let i = 0; i < 20; i++) {
        // A device clock 6 minutes fast, and a value that is an email address.
        const extra = i === 3 ? { event_timestamp: new Date(Date.now() + 6 * 60_000).toISOString() } : i === 11 ? { metadata: { note: "fatima.alharbi@example.com" } } : {};
        ids.push(e.emit("order_created", order(i, extra)));
      }
      await e.flush();
      expect(proxy.requests.map((r) => [r.status, r.events])).toEqual([[400, 20], [200, 18]]);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ status: 400, code: "invalid_events", dropped: true });
      expect(errors[0].events.map((ev) => ev.event_id)).toEqual([ids[3], ids[11]]);
      expect(errors[0].details).toEqual([
        { index: 0, path: "event_timestamp", message: expect.stringContaining("5 minutes in the future") },
        { index: 1, path: "metadata.note", message: expect.stringContaining("email address") },
      ]);
      expect(await countRows(sql, REQ)).toBe(before + 18);
      const stored = await storedIds();
      expect(ids.filter((id, i) => i !== 3 && i !== 11).every((id) => stored.has(id!))).toBe(true);
      expect(stored.has(ids[3]!) || stored.has(ids[11]!)).toBe(false);
    } finally {
      await proxy.close();
    }
  });

  it("drops only the events a user token may not send (403 by index) and stores the rest", async () => {
    const token = await mintUserToken({ sub: USER, appRole: "client" });
    const { e, errors } = emitter({ token: () => token });
    const mine = e.emit("notification_opened", { entity_id: "ntf-2", user_id: USER, request_id: REQ });
    const backendOnly = e.emit("notification_sent", { entity_id: "ntf-3", user_id: USER, request_id: REQ });
    await e.close();
    expect(errors.map((x) => [x.status, x.code, x.dropped, x.events.map((ev) => ev.event_id)])).toEqual([[403, "forbidden", true, [backendOnly]]]);
    const stored = await storedIds();
    expect(stored.has(mine!)).toBe(true);
    expect(stored.has(backendOnly!)).toBe(false);
  });

  it("waits out a real 429 from the function's quota as its Retry-After says, then stores the batch", async () => {
    // The second backend key's bucket has room for 2 more events this minute; the batch has 3.
    if (new Date().getUTCSeconds() >= 57) await new Promise((r) => setTimeout(r, 4000));
    await sql`
      insert into analytics.ingest_rate_limits (bucket, window_start, request_count, event_count)
      values (${SECOND_KEY_BUCKET}, date_trunc('minute', now()), 0, ${DEFAULT_LIMITS.service.events - 2})
      on conflict (bucket) do update set window_start = excluded.window_start, request_count = 0, event_count = excluded.event_count`;
    const proxy = await ingestProxy(INGEST_URL);
    try {
      const { e, errors } = emitter({ url: proxy.url, token: LOCAL_SECOND_SECRET_KEY, baseDelayMs: 1 });
      const ids = [0, 1, 2].map((i) => e.emit("order_created", order(100 + i)));
      await e.flush();
      expect(errors).toEqual([]);
      expect(proxy.statuses()).toEqual([429, 200]);
      const [refused, stored] = proxy.requests;
      const waitMs = Number(refused.retryAfter) * 1000;
      expect(waitMs).toBeGreaterThanOrEqual(1000);
      expect(stored.at - refused.at).toBeGreaterThanOrEqual(waitMs - 50);
      const rows = await storedIds();
      expect(ids.every((id) => rows.has(id!))).toBe(true);
    } finally {
      await proxy.close();
    }
  }, 90_000);

  it("retries 503s with backoff until the function has the batch, stored once", async () => {
    const proxy = await ingestProxy(INGEST_URL, (call) => (call <= 2 ? { status: 503 } : "forward"));
    try {
      const { e, errors } = emitter({ url: proxy.url });
      const before = await countRows(sql, REQ);
      e.emit("call_started", { entity_id: "call-1", service_code: "live_call", provider: "twilio", request_id: REQ });
      e.emit("call_answered", { entity_id: "call-1", service_code: "live_call", provider: "twilio", request_id: REQ });
      await e.flush();
      expect(proxy.statuses()).toEqual([503, 503, 200]);
      // Backoff: the second wait is longer than half its doubled step (20 ms, then 40 ms).
      expect(proxy.requests[2].at - proxy.requests[1].at).toBeGreaterThanOrEqual(20);
      expect(errors).toEqual([]);
      expect(await countRows(sql, REQ)).toBe(before + 2);
    } finally {
      await proxy.close();
    }
  });

  it("honours a Retry-After given as seconds or as an HTTP date", async () => {
    expect(retryAfterMs("3")).toBe(3000);
    expect(retryAfterMs(new Date(Date.now() + 10_000).toUTCString(), Date.now())).toBeGreaterThan(8000);
    expect(retryAfterMs("soon")).toBeNull();
    expect(retryAfterMs(null)).toBeNull();
    const proxy = await ingestProxy(INGEST_URL, (call) => (call === 1 ? { status: 429, retryAfter: "1" } : "forward"));
    try {
      const { e, errors } = emitter({ url: proxy.url });
      e.emit("order_created", order(200));
      await e.flush();
      expect(proxy.statuses()).toEqual([429, 200]);
      expect(proxy.requests[1].at - proxy.requests[0].at).toBeGreaterThanOrEqual(950);
      expect(errors).toEqual([]);
    } finally {
      await proxy.close();
    }
  });

  it("splits a batch the function finds too large (413) and stores both halves", async () => {
    const proxy = await ingestProxy(INGEST_URL);
    try {
      const { e, errors } = emitter({ url: proxy.url });
      // ~3 KB of metadata an event: 500 of them pass the function's 1 MiB body limit.
      const metadata = Object.fromEntries(Array.from({ length: 12 }, (_, k) => [`part_${k}`, "tarot ".repeat(41)]));
      const ids = Array.from({ length: 500 }, (_, i) => e.emit("order_created", order(300 + i, { metadata })));
      await e.flush();
      expect(errors).toEqual([]);
      expect(proxy.requests.map((r) => [r.status, r.events])).toEqual([[413, 500], [200, 250], [200, 250]]);
      const stored = await storedIds();
      expect(ids.every((id) => stored.has(id!))).toBe(true);
    } finally {
      await proxy.close();
    }
  });

  it("keeps events it could not deliver after maxRetries queued for the next flush", async () => {
    const proxy = await ingestProxy(INGEST_URL, (call) => (call <= 3 ? { status: 503 } : "forward"));
    try {
      const { e, errors } = emitter({ url: proxy.url, maxRetries: 2, baseDelayMs: 5 });
      const id = e.emit("order_created", order(900));
      await e.flush();
      expect(errors.map((x) => [x.status, x.dropped, x.events.length])).toEqual([[503, false, 1]]);
      expect(e.pending).toBe(1);
      await e.flush();
      expect(e.pending).toBe(0);
      expect((await storedIds()).has(id!)).toBe(true);
    } finally {
      await proxy.close();
    }
  });

  it("close() is bounded: with a memory queue it reports what it could not send as dropped", async () => {
    const proxy = await ingestProxy(INGEST_URL, () => "hang");
    try {
      const { e, errors } = emitter({ url: proxy.url });
      e.emit("order_created", order(901));
      const t0 = Date.now();
      await e.close({ timeoutMs: 300 });
      expect(Date.now() - t0).toBeLessThan(5000);
      expect(errors.map((x) => [x.code, x.dropped, x.events.length])).toEqual([["emitter_closed", true, 1]]);
    } finally {
      await proxy.close();
    }
  });

  it("never throws from a failing onError or after close()", async () => {
    const e = new AnalyticsEmitter({ url: "http://127.0.0.1:9/x", token: "t", flushIntervalMs: 0, maxRetries: 0, onError: () => { throw new Error("boom"); } });
    expect(e.emit("order_created", { entity_id: "o", user_id: USER, service_code: "x" })).not.toBeNull();
    await e.close();
    expect(e.emit("order_created", { entity_id: "o", user_id: USER, service_code: "x" })).toBeNull();
  });
});

/** Runs tests/ingest/emitter-process.ts; resolves with its "queued" ids once it printed them. */
function emitterProcess(env: Record<string, string>) {
  const child = spawn(process.execPath, ["--import", "tsx", "tests/ingest/emitter-process.ts"], {
    cwd: ROOT,
    env: { ...process.env, TOKEN: LOCAL_SECRET_KEY, REQUEST_ID: REQ, USER_ID: USER, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stderr.on("data", (c: Buffer) => (output += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  const queued = new Promise<string[]>((resolve, reject) => {
    child.stdout.on("data", (c: Buffer) => {
      output += c.toString();
      const line = /^queued (.*)$/m.exec(output);
      if (line) resolve(JSON.parse(line[1]) as string[]);
    });
    void exited.then(() => reject(new Error(`emitter process ended before queueing:\n${output}`)));
  });
  return { child, queued, exited, output: () => output };
}

const waitFor = async (what: () => boolean, ms = 20_000) => {
  for (const t0 = Date.now(); !what(); ) {
    if (Date.now() - t0 > ms) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 25));
  }
};

describe("emitter across the end of a process", () => {
  it("a file-backed queue survives a process killed mid-send: the next start stores every event", async () => {
    const file = join(tmp, "queue.jsonl");
    const blackHole = await ingestProxy(INGEST_URL, () => "hang");
    const run = emitterProcess({ MODE: "crash", INGEST_URL: blackHole.url, QUEUE_FILE: file, COUNT: "30" });
    try {
      const ids = await run.queued;
      await waitFor(() => blackHole.requests.length >= 3); // three batches in flight
      run.child.kill("SIGKILL");
      expect((await run.exited).signal).toBe("SIGKILL");
      // A line torn by a crash mid-write is skipped when the file is read back.
      appendFileSync(file, '{"add":[{"event_id":"0ab');

      const store = new FileQueueStore(file);
      const { e, errors } = emitter({ store });
      await e.close();
      expect(errors).toEqual([]);
      const stored = await storedIds();
      expect(ids.every((id) => stored.has(id))).toBe(true);
      // Delivered: the file holds nothing any more, and its lock is released.
      expect(readFileSync(file, "utf8")).toBe("");
      expect(existsSync(`${file}.lock`)).toBe(false);
      const reopened = new FileQueueStore(file);
      expect(reopened.load()).toEqual([]);
      reopened.close();
    } finally {
      run.child.kill("SIGKILL");
      await blackHole.close();
    }
  });

  it("one emitter per queue file", () => {
    const file = join(tmp, "locked.jsonl");
    const store = new FileQueueStore(file);
    expect(() => new FileQueueStore(file)).toThrow(/in use by process/);
    store.close();
    new FileQueueStore(file).close();
  });

  it("flushes on SIGTERM and then ends as the signal would", async () => {
    const run = emitterProcess({ MODE: "signal", INGEST_URL, COUNT: "40" });
    const ids = await run.queued;
    expect((await storedIds()).has(ids[0])).toBe(false);
    run.child.kill("SIGTERM");
    expect((await run.exited).signal).toBe("SIGTERM");
    const stored = await storedIds();
    expect(ids.every((id) => stored.has(id)), run.output()).toBe(true);
  });

  it("flushes when a Node script simply ends (beforeExit)", async () => {
    const run = emitterProcess({ MODE: "exit", INGEST_URL, COUNT: "15" });
    const ids = await run.queued;
    expect(await run.exited).toEqual({ code: 0, signal: null });
    const stored = await storedIds();
    expect(ids.every((id) => stored.has(id)), run.output()).toBe(true);
  });
});

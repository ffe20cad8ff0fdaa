// Transport-level limits: 413 (declared and streamed size), 415, 429 with Retry-After from the
// Postgres-backed quota, 405, and the CORS preflight.
import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { mintUserToken } from "../../stack/keys.ts";
import { callFunction } from "../helpers/functions.ts";
import { countRows, ingestTestContext, postIngest, sampleEvent, SERVICE_AUTH } from "./events.ts";

const { sql, REQ, USER } = ingestTestContext("limits");
const THROTTLED_USER = randomUUID();
const ONE_MB = 1024 * 1024;

afterAll(async () => {
  await sql`delete from analytics.ingest_rate_limits where bucket = ${`user:${THROTTLED_USER}`}`;
});

/** A syntactically valid body of at least `bytes` bytes (one event, padded with whitespace). */
const bigBody = (bytes: number) => JSON.stringify({ events: [sampleEvent("order_created", REQ, USER)] }) + " ".repeat(bytes);

describe("ingest size limit (413, checked before parsing)", () => {
  it("refuses a Content-Length over 1 MB", async () => {
    const res = await postIngest(bigBody(ONE_MB));
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe("payload_too_large");
    expect(await countRows(sql, REQ)).toBe(0);
  });

  it("refuses a streamed body over 1 MB that declares no length", async () => {
    const chunk = new TextEncoder().encode(" ".repeat(64 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent === 0) controller.enqueue(new TextEncoder().encode(JSON.stringify({ events: [sampleEvent("order_created", REQ, USER)] })));
        if (sent > ONE_MB + chunk.length) return controller.close();
        controller.enqueue(chunk);
        sent += chunk.length;
      },
    });
    const res = await callFunction("ingest", {
      method: "POST",
      headers: { "content-type": "application/json", ...SERVICE_AUTH },
      body: stream,
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("payload_too_large");
    expect(await countRows(sql, REQ)).toBe(0);
  });

  it("accepts a body just under 1 MB", async () => {
    const body = bigBody(0);
    const res = await postIngest(body + " ".repeat(ONE_MB - body.length - 10));
    expect(res.status).toBe(200);
  });
});

describe("ingest content type (415)", () => {
  it.each([["text/plain"], ["application/x-www-form-urlencoded"], ["multipart/form-data; boundary=x"], ["application/jsonp"]])(
    "refuses %s", async (type) => {
      const res = await callFunction("ingest", { method: "POST", headers: { "content-type": type, ...SERVICE_AUTH }, body: "{}" });
      expect(res.status).toBe(415);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("unsupported_media_type");
    });

  it("refuses a request without a content type", async () => {
    const res = await callFunction("ingest", { method: "POST", headers: SERVICE_AUTH, body: new Uint8Array([123, 125]) });
    expect(res.status).toBe(415);
  });

  it("accepts application/json with a charset", async () => {
    const res = await postIngest(JSON.stringify({ events: [sampleEvent("order_created", REQ, USER)] }), {
      ...SERVICE_AUTH, "content-type": "application/json; charset=utf-8",
    });
    expect(res.status).toBe(200);
  });
});

describe("ingest rate limit (429, per caller, held in Postgres)", () => {
  it("answers 429 with Retry-After once the caller's window is used up, and writes nothing", async () => {
    // Stay clear of a minute boundary so the pre-filled window is still the current one.
    if (new Date().getUTCSeconds() > 55) await new Promise((r) => setTimeout(r, 6000));
    await sql`
      insert into analytics.ingest_rate_limits (bucket, window_start, request_count)
      values (${`user:${THROTTLED_USER}`}, date_trunc('minute', now()), 1000000)
      on conflict (bucket) do update set window_start = excluded.window_start, request_count = excluded.request_count`;
    const token = await mintUserToken({ sub: THROTTLED_USER, appRole: "client" });
    const before = await countRows(sql, REQ);
    const e = sampleEvent("notification_opened", REQ, THROTTLED_USER);
    const res = await postIngest({ events: [e] }, { authorization: `Bearer ${token}` });
    expect(res.status).toBe(429);
    expect(res.body.error.code).toBe("rate_limited");
    const retryAfter = Number(res.headers.get("retry-after"));
    expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60).toBe(true);
    expect(res.headers.get("access-control-expose-headers")).toContain("retry-after");
    expect(await countRows(sql, REQ)).toBe(before);

    // Another user's bucket is untouched.
    const other = await postIngest({ events: [sampleEvent("notification_opened", REQ, USER)] },
      { authorization: `Bearer ${await mintUserToken({ sub: USER, appRole: "client" })}` });
    expect(other.status).toBe(200);
  });

  it("counts each request once in the caller's bucket", async () => {
    const bucket = `user:${USER}`;
    const read = async () => (await sql<{ n: number }[]>`select request_count as n from analytics.ingest_rate_limits where bucket = ${bucket}`)[0]?.n ?? 0;
    if (new Date().getUTCSeconds() > 55) await new Promise((r) => setTimeout(r, 6000));
    const before = await read();
    await postIngest({ events: [sampleEvent("notification_opened", REQ, USER)] },
      { authorization: `Bearer ${await mintUserToken({ sub: USER, appRole: "client" })}` });
    expect(await read()).toBe(before + 1);
  });

  it("is not callable by anon or authenticated in the database", async () => {
    const rows = await sql<{ role: string; ok: boolean }[]>`
      select r as role, has_function_privilege(r, 'analytics.consume_ingest_quota(text, integer, integer, integer, integer)', 'execute') as ok
      from unnest(array['anon', 'authenticated', 'service_role']) as r`;
    expect(rows).toEqual([{ role: "anon", ok: false }, { role: "authenticated", ok: false }, { role: "service_role", ok: true }]);
  });
});

describe("ingest HTTP surface", () => {
  it("answers the CORS preflight", async () => {
    const res = await callFunction("ingest", {
      method: "OPTIONS",
      headers: { origin: "https://app.example", "access-control-request-method": "POST", "access-control-request-headers": "authorization, content-type, apikey, x-client-info" },
    });
    expect(res.status).toBeLessThan(300);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("access-control-allow-methods")).toContain("POST");
    for (const h of ["authorization", "content-type", "apikey", "x-client-info"]) {
      expect(res.headers.get("access-control-allow-headers")).toContain(h);
    }
  });

  it("sends CORS headers on errors too", async () => {
    const res = await postIngest({ events: [] }, {});
    expect(res.status).toBe(401);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
  });

  it("refuses GET with 405", async () => {
    const res = await callFunction("ingest", { headers: SERVICE_AUTH });
    expect(res.status).toBe(405);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("method_not_allowed");
  });
});

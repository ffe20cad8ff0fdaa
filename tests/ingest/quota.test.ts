// The ingest quota counts events as well as requests, per caller: a token sending full batches
// stops at its event limit (a batch that would pass it is refused whole), and every backend key
// has a bucket of its own, named by the key's id and never by the key. A valid request costs the
// quota one statement; every request counts, and a caller whose minute the function has seen used
// up is refused before its body is read.
import { createHash, randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { mintUserToken } from "../../stack/keys.ts";
import { LOCAL_SECOND_SECRET_KEY, LOCAL_SECRET_KEY, LOCAL_SERVICE_ROLE_KEY } from "../../stack/local-settings.ts";
import { DEFAULT_LIMITS } from "../../supabase/functions/_shared/rate-limit.ts";
import { stalledRequest } from "../helpers/stalled-request.ts";
import { countRows, ingestTestContext, postIngest, sampleEvent } from "./events.ts";

const { sql, REQ } = ingestTestContext("quota");
const FLOODER = randomUUID();
const FILLER = randomUUID();
const STEADY = randomUUID();
const SLOW_FLOODER = randomUUID();
const INVALID_SENDER = randomUUID();
const DEFAULT_KEY_BUCKET = "service:secret:default";
const SECOND_KEY_BUCKET = "service:secret:second";
const JWT_BUCKET = `service:jwt:${createHash("sha256").update(LOCAL_SERVICE_ROLE_KEY).digest("hex").slice(0, 16)}`;
const BACKEND_BUCKETS = [DEFAULT_KEY_BUCKET, SECOND_KEY_BUCKET, JWT_BUCKET];
const USER_LIMIT = DEFAULT_LIMITS.user.events;

const USERS = [FLOODER, FILLER, STEADY, SLOW_FLOODER, INVALID_SENDER];
afterAll(async () => {
  await sql`delete from analytics.ingest_rate_limits where bucket in ${sql([...USERS.map((u) => `user:${u}`), ...BACKEND_BUCKETS])}`;
});

/** Waits out the last seconds of a minute, so that a test's requests share one quota window. */
async function clearOfMinuteEnd(seconds = 50) {
  const now = new Date();
  if (now.getUTCSeconds() >= seconds) await new Promise((r) => setTimeout(r, (61 - now.getUTCSeconds()) * 1000));
}

const batch = (user: string, n: number) => ({ events: Array.from({ length: n }, () => sampleEvent("notification_opened", REQ, user)) });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const quotaRow = async (bucket: string) =>
  (await sql<{ request_count: number; event_count: number }[]>`
    select request_count, event_count from analytics.ingest_rate_limits
    where bucket = ${bucket} and window_start = date_trunc('minute', now())`)[0];

describe("ingest event quota", () => {
  it("stops full batches from one user token at the event limit per minute, writing nothing past it", async () => {
    const token = await mintUserToken({ sub: FLOODER, appRole: "client" });
    const fits = USER_LIMIT / 1000;
    await clearOfMinuteEnd();
    const responses = [];
    for (let i = 0; i < fits + 2; i++) responses.push(await postIngest(batch(FLOODER, 1000), bearer(token)));
    expect(responses.map((r) => r.status)).toEqual([...Array(fits).fill(200), 429, 429]);
    for (const refused of responses.slice(fits)) {
      expect(refused.body.error.code).toBe("rate_limited");
      expect(refused.body.error.message).toContain(`at most ${USER_LIMIT} per minute`);
      const retryAfter = Number(refused.headers.get("retry-after"));
      expect(retryAfter >= 1 && retryAfter <= 60).toBe(true);
    }
    expect(await sql`select 1 from public.events_raw where request_id = ${REQ} and user_id = ${FLOODER}`.then((r) => r.length)).toBe(USER_LIMIT);
    expect(await quotaRow(`user:${FLOODER}`)).toEqual({ request_count: fits + 2, event_count: USER_LIMIT });
  });

  it("refuses a batch that would pass the limit whole, and still takes one that fits", async () => {
    const token = await mintUserToken({ sub: FILLER, appRole: "client" });
    await clearOfMinuteEnd();
    await sql`
      insert into analytics.ingest_rate_limits (bucket, window_start, request_count, event_count)
      values (${`user:${FILLER}`}, date_trunc('minute', now()), 0, ${USER_LIMIT - 600})`;
    const before = await countRows(sql, REQ);

    const tooMany = await postIngest(batch(FILLER, 1000), bearer(token));
    expect(tooMany.status).toBe(429);
    expect(tooMany.body.error.message).toContain("nothing was written");
    expect(await countRows(sql, REQ)).toBe(before);
    expect(await quotaRow(`user:${FILLER}`)).toEqual({ request_count: 1, event_count: USER_LIMIT - 600 });

    expect((await postIngest(batch(FILLER, 600), bearer(token))).status).toBe(200);
    expect(await countRows(sql, REQ)).toBe(before + 600);
    expect((await postIngest(batch(FILLER, 1), bearer(token))).status).toBe(429);
    expect(await quotaRow(`user:${FILLER}`)).toEqual({ request_count: 3, event_count: USER_LIMIT });
  });
});

describe("backend quota buckets", () => {
  it("gives each secret key and service_role token a bucket of its own, named without the key", async () => {
    await clearOfMinuteEnd();
    await sql`delete from analytics.ingest_rate_limits where bucket in ${sql(BACKEND_BUCKETS)}`;
    const callers = [LOCAL_SECRET_KEY, LOCAL_SECOND_SECRET_KEY, LOCAL_SERVICE_ROLE_KEY];
    for (const [i, key] of callers.entries()) {
      expect((await postIngest(batch(randomUUID(), i + 2), bearer(key))).status).toBe(200);
    }
    expect(await quotaRow(DEFAULT_KEY_BUCKET)).toEqual({ request_count: 1, event_count: 2 });
    expect(await quotaRow(SECOND_KEY_BUCKET)).toEqual({ request_count: 1, event_count: 3 });
    expect(await quotaRow(JWT_BUCKET)).toEqual({ request_count: 1, event_count: 4 });
    const buckets = (await sql<{ bucket: string }[]>`select bucket from analytics.ingest_rate_limits`).map((r) => r.bucket);
    for (const secret of [...callers, LOCAL_SERVICE_ROLE_KEY.split(".")[2]]) {
      expect(buckets.filter((b) => b.includes(secret))).toEqual([]);
    }
  });

  it("throttles one backend key without touching another", async () => {
    await clearOfMinuteEnd();
    await sql`
      insert into analytics.ingest_rate_limits (bucket, window_start, request_count)
      values (${DEFAULT_KEY_BUCKET}, date_trunc('minute', now()), ${DEFAULT_LIMITS.service.requests})
      on conflict (bucket) do update set window_start = excluded.window_start, request_count = excluded.request_count`;
    try {
      const throttled = await postIngest(batch(randomUUID(), 1), bearer(LOCAL_SECRET_KEY));
      expect(throttled.status).toBe(429);
      expect(throttled.body.error.message).toContain(`at most ${DEFAULT_LIMITS.service.requests} per minute`);
      expect((await postIngest(batch(randomUUID(), 1), bearer(LOCAL_SECOND_SECRET_KEY))).status).toBe(200);
    } finally {
      // Other test files ingest with the default key.
      await sql`delete from analytics.ingest_rate_limits where bucket = ${DEFAULT_KEY_BUCKET}`;
    }
  });
});

describe("what a request costs the quota", () => {
  it("counts a valid request with its events in one statement", async () => {
    // Every write to STEADY's bucket row, counted by a trigger of this test's own.
    await sql.begin(async (tx) => {
      await tx`create table if not exists public.quota_test_writes (at timestamptz not null default clock_timestamp())`;
      await tx.unsafe(`create or replace function public.quota_test_count_write() returns trigger language plpgsql
        security definer set search_path = '' as $$ begin insert into public.quota_test_writes default values; return null; end $$`);
      await tx.unsafe(`create trigger quota_test_count_write after insert or update on analytics.ingest_rate_limits
        for each row when (new.bucket = 'user:${STEADY}') execute function public.quota_test_count_write()`);
    });
    try {
      const token = await mintUserToken({ sub: STEADY, appRole: "client" });
      await clearOfMinuteEnd();
      for (const n of [3, 5, 1]) expect((await postIngest(batch(STEADY, n), bearer(token))).status).toBe(200);
      expect(await quotaRow(`user:${STEADY}`)).toEqual({ request_count: 3, event_count: 9 });
      expect((await sql<{ n: number }[]>`select count(*)::int as n from public.quota_test_writes`)[0].n).toBe(3);
    } finally {
      await sql`drop trigger if exists quota_test_count_write on analytics.ingest_rate_limits`;
      await sql`drop function if exists public.quota_test_count_write()`;
      await sql`drop table if exists public.quota_test_writes`;
    }
  });

  it("counts a request whose body is refused", async () => {
    const token = await mintUserToken({ sub: INVALID_SENDER, appRole: "client" });
    await clearOfMinuteEnd();
    const res = await postIngest({ events: [{ event_type: "no_such_type" }] }, bearer(token));
    expect(res.status).toBe(400);
    expect(await quotaRow(`user:${INVALID_SENDER}`)).toEqual({ request_count: 1, event_count: 0 });
  });

  it("refuses a caller whose minute it has seen used up before reading the body", async () => {
    await clearOfMinuteEnd();
    await sql`
      insert into analytics.ingest_rate_limits (bucket, window_start, request_count)
      values (${`user:${SLOW_FLOODER}`}, date_trunc('minute', now()), ${DEFAULT_LIMITS.user.requests})`;
    const token = await mintUserToken({ sub: SLOW_FLOODER, appRole: "client" });
    // The function learns that this minute is used up (the stack runs one function process) ...
    expect((await postIngest(batch(SLOW_FLOODER, 1), bearer(token))).status).toBe(429);
    // ... and answers the next request from the caller before its body has arrived: the body
    // deadline (10 s) never comes into it.
    const { socket, received } = stalledRequest("content-length", '{"events": [', token);
    try {
      const until = Date.now() + 3000;
      while (!received().includes("\r\n\r\n") && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      expect(received().split("\r\n")[0]).toBe("HTTP/1.1 429 Too Many Requests");
      expect(received()).toContain(`at most ${DEFAULT_LIMITS.user.requests} per minute`);
    } finally {
      socket.destroy();
    }
    expect(await quotaRow(`user:${SLOW_FLOODER}`)).toEqual({ request_count: DEFAULT_LIMITS.user.requests, event_count: 0 });
  });
});

// Every transaction a function runs has a statement_timeout and a lock_timeout (db.ts; defaults
// 8 s and 1 s, DB_STATEMENT_TIMEOUT_MS / DB_LOCK_TIMEOUT_MS). Functions become a role with
// set_config, so the role's own statement_timeout never applies: without these, a request waits
// for as long as another session holds a lock. A timeout is a JSON 503 the caller may retry.
import { randomUUID } from "node:crypto";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { mintRoleToken } from "../../stack/keys.ts";
import type { Caller } from "../../supabase/functions/_shared/auth.ts";
import { retryableDatabaseError } from "../../supabase/functions/_shared/db-errors.ts";
import { inTransactionAs, oneStatement, oneStatementAs, type Sql as FnSql } from "../../supabase/functions/_shared/db.ts";
import { connect } from "../helpers/db.ts";
import { callFunction } from "../helpers/functions.ts";
import { sampleEvent, SERVICE_AUTH } from "../ingest/events.ts";

const sql = connect({ max: 1 });
const REQ = `test-timeouts-${randomUUID()}`;
afterAll(async () => {
  await sql`delete from public.events_raw where request_id = ${REQ}`;
  await sql.end();
});

/** Runs `fn` while another session holds `table` in access exclusive mode (as a long DDL or purge would). */
async function whileLocked<T>(table: string, fn: () => Promise<T>): Promise<T> {
  const holder = connect({ max: 1 });
  const reserved = await holder.reserve();
  try {
    await reserved`begin`;
    await reserved.unsafe(`lock table ${table} in access exclusive mode`);
    return await fn();
  } finally {
    await reserved`rollback`;
    reserved.release();
    await holder.end();
  }
}

/** Status, error code, Retry-After and time of a request that is given up after 6 s (a hang). */
async function timed(path: string, init: RequestInit) {
  const started = performance.now();
  try {
    const res = await callFunction(path, { ...init, signal: AbortSignal.timeout(6_000) });
    const body = (await res.json()) as { error?: { code?: string } };
    return { status: res.status, code: body.error?.code, retryAfter: res.headers.get("retry-after"), ms: performance.now() - started };
  } catch (err) {
    return { status: 0, code: String(err), retryAfter: null, ms: performance.now() - started };
  }
}

describe("a lock held elsewhere costs a request about lock_timeout (1 s), then a JSON 503", () => {
  it("metrics: a table locked by another session", async () => {
    const admin = { authorization: `Bearer ${await mintRoleToken("admin")}` };
    // Dates no other test asks for, so the answer is not in the function's response cache.
    const day = 1 + Math.floor(Math.random() * 27);
    const res = await whileLocked("public.metrics_daily_fulfillment", () =>
      timed(`metrics/fulfillment?start_date=2019-02-${String(day).padStart(2, "0")}&end_date=2019-02-28`, { headers: admin }));
    expect(res).toMatchObject({ status: 503, code: "database_timeout", retryAfter: "1" });
    expect(res.ms).toBeGreaterThan(900);
    expect(res.ms).toBeLessThan(3_000);
  });

  it("ingest: events_raw locked by another session; nothing is stored", async () => {
    const events = [sampleEvent("order_created", REQ, randomUUID())];
    const res = await whileLocked("public.events_raw", () =>
      timed("ingest", { method: "POST", headers: { "content-type": "application/json", ...SERVICE_AUTH }, body: JSON.stringify({ events }) }));
    expect(res).toMatchObject({ status: 503, code: "database_timeout", retryAfter: "1" });
    expect(res.ms).toBeLessThan(3_000);
    expect((await sql`select count(*)::int as n from public.events_raw where request_id = ${REQ}`)[0].n).toBe(0);
  });
});

describe("the function transactions' timeouts (db.ts)", () => {
  const caller: Caller = { kind: "service", dbRole: "service_role", keyId: "test", claims: { role: "service_role" } };
  const fnSql = sql as unknown as FnSql;
  afterEach(() => {
    delete process.env.DB_STATEMENT_TIMEOUT_MS;
    delete process.env.DB_LOCK_TIMEOUT_MS;
  });

  it("sets both for the transaction only, 8 s and 1 s by default", async () => {
    const inside = await inTransactionAs(fnSql, caller, (tx) =>
      tx<{ s: string; l: string }[]>`select current_setting('statement_timeout') as s, current_setting('lock_timeout') as l`);
    expect(inside).toEqual([{ s: "8s", l: "1s" }]);
    const [one] = await oneStatementAs<{ s: string; l: string }>(fnSql, caller,
      "select current_setting('statement_timeout') as s, current_setting('lock_timeout') as l");
    expect(one).toEqual({ s: "8s", l: "1s" });
    // The pool's connection (max 1) is back to the login role's settings afterwards.
    expect(await sql`select current_setting('statement_timeout') as s, current_setting('lock_timeout') as l`).toEqual([{ s: "0", l: "0" }]);
  });

  it("takes the values from DB_STATEMENT_TIMEOUT_MS and DB_LOCK_TIMEOUT_MS, and a statement over it is a 503", async () => {
    process.env.DB_STATEMENT_TIMEOUT_MS = "300";
    process.env.DB_LOCK_TIMEOUT_MS = "200";
    const started = performance.now();
    const err = await inTransactionAs(fnSql, caller, (tx) => tx`select pg_sleep(5)`).catch((e: unknown) => e);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(err).toMatchObject({ code: "57014" });
    expect(retryableDatabaseError(err)).toMatchObject({ status: 503, code: "database_timeout", headers: { "retry-after": "1" } });
    await expect(oneStatementAs(fnSql, caller, "select pg_sleep(5)")).rejects.toMatchObject({ code: "57014" });
    await expect(oneStatement(fnSql, "select pg_sleep(5)")).rejects.toMatchObject({ code: "57014" });
    expect(await oneStatement<{ l: string }>(fnSql, "select current_setting('lock_timeout') as l")).toEqual([{ l: "200ms" }]);
  });
});

// The postgres driver the functions run (supabase/functions/_vendor/postgres, 3.4.10 patched) when a
// transaction's connection dies under it, as in a database restart: the transaction's next query
// fails, nothing is thrown outside it (upstream throws a TypeError from an immediate, which ends
// the process: porsager/postgres#1154, #1208), and the connection serves the next query.
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { LOCAL_DB_URL } from "../../stack/local-settings.ts";
import postgres from "../../supabase/functions/_vendor/postgres/src/index.js";
import { connect } from "../helpers/db.ts";

const killer = connect();
afterAll(() => killer.end());

// Errors thrown outside any promise chain while a test runs (upstream's crash).
let uncaught: unknown[] = [];
const recordUncaught = (err: unknown) => uncaught.push(err);
beforeEach(() => {
  uncaught = [];
  process.on("uncaughtException", recordUncaught);
});
afterEach(() => {
  process.off("uncaughtException", recordUncaught);
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("vendored postgres driver, a transaction whose connection is terminated", () => {
  it("rejects the transaction's next query, throws nothing uncaught, and the connection works again", async () => {
    // One connection, so the follow-up query must reuse the one that died.
    const sql = postgres(LOCAL_DB_URL, { max: 1, connect_timeout: 2, onnotice: () => {} });
    try {
      // The callback goes on after the transaction has failed (the driver rejects it as the connection closes).
      let callback: Promise<unknown> | undefined;
      const transaction = sql.begin((tx) => (callback = (async () => {
        const [{ pid }] = await tx<{ pid: number }[]>`select pg_backend_pid() as pid`;
        await killer`select pg_terminate_backend(${pid})`;
        await sleep(200); // the server's close has arrived
        await tx`select 1`;
      })()));
      await expect(transaction).rejects.toMatchObject({ code: expect.stringMatching(/^(CONNECTION_CLOSED|57P01)$/) });
      const settledOrNot = Promise.race([callback, sleep(3_000).then(() => "still pending after 3 s")]);
      await expect(settledOrNot).rejects.toMatchObject({ code: "CONNECTION_CLOSED" });
      await sleep(100); // an immediate scheduled by the dead transaction has run
      expect(uncaught).toEqual([]);

      const started = performance.now();
      expect(await sql`select 1 as one`).toEqual([{ one: 1 }]);
      expect(performance.now() - started).toBeLessThan(1_000);
    } finally {
      await sql.end({ timeout: 1 });
    }
  });
});

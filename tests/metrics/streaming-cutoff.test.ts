// A streamed answer whose database connection dies mid-answer (real HTTP, real database): the test
// terminates the function's backend (pg_terminate_backend) as soon as the response's status has
// arrived, while Postgres is still sending the year's 13,176 rows. The client must then see the
// body cut off (an error, never a complete-looking answer), nothing may be cached, and the next
// request gets the whole answer. The termination races the query, so the test tries up to ATTEMPTS
// times and needs one cut-off; every attempt, cut off or not, must hold the same invariants.
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mintRoleToken } from "../../stack/keys.ts";
import { LOCAL_FUNCTIONS_URL } from "../../stack/local-settings.ts";
import { connect } from "../helpers/db.ts";
import { insertFulfillmentGrid, removeFulfillmentGrid } from "./fulfillment-grid.ts";

const FIRST = "2006-01-01"; // a year no other test uses
const LAST = "2006-12-31";
const ROWS = 365 * 36;
const ATTEMPTS = 20;

const sql = connect();
let admin = "";
const path = `fulfillment?start_date=${FIRST}&end_date=${LAST}`;

type Outcome = { status: number; xCache: unknown; body: Buffer; error?: Error };

/** GET that reports a body cut off after the status as `error` (with the bytes that came). */
function get(onStatus?: () => void): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    http.get(`${LOCAL_FUNCTIONS_URL}/metrics/${path}`, { headers: { authorization: `Bearer ${admin}` } }, (res) => {
      onStatus?.();
      const chunks: Buffer[] = [];
      const done = (error?: Error) => resolve({ status: res.statusCode ?? 0, xCache: res.headers["x-cache"], body: Buffer.concat(chunks), error });
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => (res.complete ? done() : done(new Error("incomplete body"))));
      res.on("error", (err) => done(err));
      res.on("aborted", () => done(new Error("aborted")));
    }).on("error", reject);
  });
}

/** Terminates the backend running the function's range read, if it is still running. */
async function terminateRangeRead(): Promise<number> {
  const rows = await sql`
    select pg_terminate_backend(pid) as terminated from pg_stat_activity
    where state = 'active' and pid <> pg_backend_pid() and query like '%string_agg(t.api_row::text%'`;
  return rows.filter((r) => r.terminated).length;
}

beforeAll(async () => {
  admin = await mintRoleToken("admin");
  await insertFulfillmentGrid(sql, FIRST, LAST, "a600");
});

afterAll(async () => {
  await removeFulfillmentGrid(sql, FIRST, LAST);
  await sql.end();
});

describe("a streamed answer whose database connection dies mid-answer", () => {
  it("is cut off, not cached, and the next request gets the whole answer", async () => {
    let cutOff = 0;
    for (let attempt = 0; attempt < ATTEMPTS && cutOff === 0; attempt++) {
      // A new data version for every attempt: each is a miss, computed by a query of its own.
      await sql`delete from public.metrics_daily_fulfillment where false`;
      let terminating: Promise<number> | undefined;
      const res = await get(() => (terminating = terminateRangeRead()));
      const terminated = await terminating!;
      expect(res.status).toBe(200);
      expect(res.xCache).toBe("miss");
      if (res.error) {
        cutOff++;
        expect(terminated).toBe(1);
        expect(() => JSON.parse(res.body.toString("utf8"))).toThrow();
      } else {
        expect(JSON.parse(res.body.toString("utf8")).meta.row_count).toBe(ROWS); // the read had ended first
      }
      // Whatever happened, the next answer is whole; after a cut-off it is computed again.
      const next = await get();
      expect(next.error).toBeUndefined();
      expect(next.status).toBe(200);
      if (res.error) expect(next.xCache).toBe("miss");
      const answer = JSON.parse(next.body.toString("utf8"));
      expect(answer.data.length).toBe(ROWS);
      expect(answer.meta.row_count).toBe(ROWS);
    }
    expect(cutOff).toBe(1);
  }, 60_000);
});

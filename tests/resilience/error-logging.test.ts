// Database errors reach the functions' log as SQLSTATE, class and constraint/table names only,
// never with the row or the parameters (a Postgres error's detail reads "Failing row contains
// (...)", the whole event). And which errors a caller may retry (a JSON 503), which are bugs (500).
import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { describeError, retryableDatabaseError } from "../../supabase/functions/_shared/db-errors.ts";
import { connect } from "../helpers/db.ts";
import { functionsLog } from "../helpers/stack-control.ts";
import { postIngest, sampleEvent } from "../ingest/events.ts";

const sql = connect();
const REQ = `test-error-logging-${randomUUID()}`;
const MARKER = `marker-${randomUUID()}`;
const CONSTRAINT = "test_error_logging_rejects_marker";

afterAll(async () => {
  await sql.unsafe(`alter table public.events_raw drop constraint if exists ${CONSTRAINT}`);
  await sql`delete from public.events_raw where request_id = ${REQ}`;
  await sql.end();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("a constraint error in the functions' log", () => {
  it("names the SQLSTATE and the constraint, not the event", async () => {
    // A check the function does not know about: the write fails with 23514 as an unexpected error.
    await sql.unsafe(`alter table public.events_raw add constraint ${CONSTRAINT} check (entity_id is distinct from '${MARKER}')`);
    const event = sampleEvent("order_created", REQ, randomUUID(), { entity_id: MARKER, metadata: { note_id: MARKER } });
    const logBefore = functionsLog().length;
    let res;
    try {
      res = await postIngest({ events: [event] });
    } finally {
      await sql.unsafe(`alter table public.events_raw drop constraint if exists ${CONSTRAINT}`);
    }
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: { code: "internal_error", message: "internal error" } });

    await sleep(300); // the log line is written
    const log = functionsLog().slice(logBefore);
    expect(log).toContain("SQLSTATE 23514 (integrity constraint violation)");
    expect(log).toContain(`constraint ${CONSTRAINT}`);
    expect(log).not.toContain(MARKER);
    expect(log).not.toContain(event.event_id as string);
    expect(log).not.toContain(event.user_id as string);
    expect(log).not.toContain("Failing row");
  });
});

describe("which database errors a caller may retry (db-errors.ts)", () => {
  const pgError = (code: string) => Object.assign(new Error("message that may quote data"), { code, severity: "ERROR" });
  const socketError = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:5432`), { code });

  it("maps an unreachable, restarting or read-only database to 503 database_unavailable", () => {
    for (const err of [pgError("57P01"), pgError("57P03"), pgError("08006"), pgError("53300"), pgError("25006"),
      socketError("ECONNREFUSED"), socketError("CONNECTION_CLOSED"), socketError("CONNECT_TIMEOUT")]) {
      expect(retryableDatabaseError(err), err.code).toMatchObject({ status: 503, code: "database_unavailable", headers: { "retry-after": "1" } });
    }
  });

  it("maps statement and lock timeouts to database_timeout, and serialisation failures to database_conflict", () => {
    expect(retryableDatabaseError(pgError("57014"))).toMatchObject({ status: 503, code: "database_timeout" });
    expect(retryableDatabaseError(pgError("55P03"))).toMatchObject({ status: 503, code: "database_timeout" });
    expect(retryableDatabaseError(pgError("40P01"))).toMatchObject({ status: 503, code: "database_conflict" });
  });

  it("leaves other errors alone (a 500: a bug, not a state of the database)", () => {
    for (const err of [pgError("23505"), pgError("42P01"), pgError("22P02"), new TypeError("x is undefined"), "a string"]) {
      expect(retryableDatabaseError(err)).toBeUndefined();
    }
  });

  it("describes an error without its message or detail", () => {
    const err = Object.assign(pgError("23502"), { detail: "Failing row contains (secret)", table_name: "t", schema_name: "public", column_name: "c" });
    expect(describeError(err)).toBe("database error: SQLSTATE 23502 (integrity constraint violation), table public.t, column c");
    expect(describeError(socketError("ECONNREFUSED"))).toBe("database connection error: ECONNREFUSED");
  });
});

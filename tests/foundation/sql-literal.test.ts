// sqlLiteral / sqlTextArray (supabase/functions/_shared/sql-literal.ts) and oneStatementAs (db.ts): the functions write the
// caller's claims, the quota bucket and the erased-user check's arrays as literals. Each must read
// back from Postgres exactly as sent, with standard_conforming_strings on (the default) and off.
import { afterAll, describe, expect, it } from "vitest";
import { inTransactionAs, oneStatementAs, type Sql as FnSql } from "../../supabase/functions/_shared/db.ts";
import { sqlLiteral, sqlTextArray } from "../../supabase/functions/_shared/sql-literal.ts";
import { connect } from "../helpers/db.ts";

const sql = connect({ max: 1 });
afterAll(() => sql.end());

const TRICKY = [
  "", "plain", "it's", "''", "back\\slash", "ends with \\", "\\'", "\\\\''\\", "E'x'", "$$dollar$$", "\"double\"",
  "semi; select 1; --", "new\nline\ttab\rcr", "unicode: ♌ حظ 🌙", "\u00e9\u0301", "{a,b}", "\\x00ff",
];

describe("sqlLiteral", () => {
  for (const scs of ["on", "off"]) {
    it(`reads back every tricky string with standard_conforming_strings = ${scs}`, async () => {
      await sql.begin(async (tx) => {
        await tx.unsafe(`set local standard_conforming_strings = ${scs}`);
        for (const s of TRICKY) {
          const [row] = await tx.unsafe<{ v: string }[]>(`select ${sqlLiteral(s)}::text as v`);
          expect(row.v).toBe(s);
        }
      });
    });
  }

  it("refuses NUL, which Postgres text cannot hold", () => {
    expect(() => sqlLiteral("a\0b")).toThrow(TypeError);
  });

  it("carries a caller's claims into request.jwt.claims unchanged (inTransactionAs)", async () => {
    const claims = { role: "authenticated", sub: "a0000000-0000-4000-8000-000000000001", note: TRICKY.join("|"), app_metadata: { role: "reader" } };
    const seen = await inTransactionAs(sql as unknown as FnSql, { kind: "user", dbRole: "authenticated", sub: claims.sub, appRole: "reader", claims }, async (tx) => {
      const [row] = await tx.unsafe<{ role: string; claims: string }[]>(
        "select current_user::text as role, current_setting('request.jwt.claims') as claims");
      return row;
    });
    expect(seen.role).toBe("authenticated");
    expect(JSON.parse(seen.claims)).toEqual(claims);
  });

  // The settings are pipelined with fn's statements, not awaited first: a statement that fn sends
  // at once must still run after them.
  it("runs the caller's settings before a statement fn sends at once (inTransactionAs)", async () => {
    const claims = { role: "service_role", note: "pipelined" };
    const seen = await inTransactionAs(sql as unknown as FnSql, { kind: "service", dbRole: "service_role", keyId: "test", claims },
      (tx) => tx.unsafe<{ role: string; claims: string }[]>(
        "select current_user::text as role, current_setting('request.jwt.claims') as claims").execute());
    expect(seen[0].role).toBe("service_role");
    expect(JSON.parse(seen[0].claims)).toEqual(claims);
  });
});

describe("oneStatementAs", () => {
  it("runs the statement as the caller, with its claims, and for that statement only", async () => {
    const claims = { role: "service_role", note: "it's \\ here" };
    const [row] = await oneStatementAs<{ role: string; claims: string }>(sql as unknown as FnSql, { kind: "service", dbRole: "service_role", keyId: "test", claims },
      "select current_user::text as role, current_setting('request.jwt.claims') as claims");
    expect(row.role).toBe("service_role");
    expect(JSON.parse(row.claims)).toEqual(claims);
    // The same connection (the pool has one) is back to its own role and no claims.
    const [after] = await sql<{ role: string; claims: string | null }[]>`
      select current_user::text as role, nullif(current_setting('request.jwt.claims', true), '') as claims`;
    expect(after).toEqual({ role: "postgres", claims: null });
  });
});

describe("sqlTextArray", () => {
  it("gives a text[] literal of uuids and hex strings", async () => {
    const values = ["a0000000-0000-4000-8000-000000000001", "00ff", "deadbeef"];
    const [row] = await sql.unsafe<{ v: string[] }[]>(`select ${sqlTextArray(values)}::text[] as v`);
    expect(row.v).toEqual(values);
    const [empty] = await sql.unsafe<{ n: number }[]>(`select cardinality(${sqlTextArray([])}::text[]) as n`);
    expect(empty.n).toBe(0);
  });

  it("refuses anything else", () => {
    for (const bad of ["a,b", "'", "}", "A0", "", "x y", "\\"]) expect(() => sqlTextArray([bad])).toThrow(TypeError);
  });
});

// The ingest function's erased-user check (supabase/functions/ingest/erased-users.ts) keeps a copy
// of the suppression list per isolate, tagged with analytics.suppression_list_version, and probes
// the list instead when it is too long to copy. Both ways must give exactly the listed users, and
// the copy must follow every change of the list: an erasure, an entry removed, an entry re-added.
import { randomUUID } from "node:crypto";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { erasedUsersIn, forgetListCopy } from "../../supabase/functions/ingest/erased-users.ts";
import type { Tx } from "../../supabase/functions/_shared/db.ts";
import { asRole, connect } from "../helpers/db.ts";

const sql = connect();
const erased = randomUUID();
const other = randomUUID();
const users = [erased, other, randomUUID()];

/** The check as the function runs it: in a transaction as service_role. */
const check = (maxCopied?: number) =>
  asRole(sql, "service_role", { role: "service_role" }, (tx) => erasedUsersIn(tx as unknown as Tx, users, maxCopied));
const erase = (user: string) => sql`insert into analytics.erased_subjects (subject_hash) values (analytics.subject_hash(${user})) on conflict do nothing`;
const unerase = (user: string) => sql`delete from analytics.erased_subjects where subject_hash = analytics.subject_hash(${user})`;

beforeEach(forgetListCopy);
afterAll(async () => {
  await unerase(erased);
  await unerase(other);
  await sql.end();
});

describe.each([
  ["a copy of the list", undefined],
  ["probes of the list (a list too long to copy)", 0],
])("the erased-user check with %s", (_, maxCopied) => {
  it("finds exactly the erased users, and follows every change of the list", async () => {
    await erase(erased);
    expect([...await check(maxCopied)]).toEqual([erased]);
    await erase(other);
    expect(new Set(await check(maxCopied))).toEqual(new Set([erased, other]));
    await unerase(other);
    expect([...await check(maxCopied)]).toEqual([erased]);
    await unerase(erased);
    expect([...await check(maxCopied)]).toEqual([]);
    await erase(erased);
    expect([...await check(maxCopied)]).toEqual([erased]);
    await unerase(erased);
  });
});

describe("the copy of the list", () => {
  it("answers from the copy while the version stands, and reloads when it changes", async () => {
    await erase(erased);
    expect([...await check()]).toEqual([erased]);
    // Changed behind the version's back (never done outside this test): the copy still answers.
    await sql.begin(async (tx) => {
      await tx`alter table analytics.erased_subjects disable trigger erased_subjects_bump_version`;
      await tx`delete from analytics.erased_subjects where subject_hash = analytics.subject_hash(${erased})`;
      await tx`alter table analytics.erased_subjects enable trigger erased_subjects_bump_version`;
    });
    expect([...await check()]).toEqual([erased]);
    // Any change of the list bumps the version: the next check reloads it.
    await erase(other);
    expect([...await check()]).toEqual([other]);
    await unerase(other);
  });
});

describe("without the version row", () => {
  it("probes the list (a deleted row must not make every batch fail)", async () => {
    await erase(erased);
    const [saved] = await sql<Record<string, unknown>[]>`select * from analytics.suppression_list_version`;
    await sql`delete from analytics.suppression_list_version`;
    try {
      expect([...await check()]).toEqual([erased]);
    } finally {
      await sql`insert into analytics.suppression_list_version ${sql(saved)}`;
      await unerase(erased);
    }
  });
});

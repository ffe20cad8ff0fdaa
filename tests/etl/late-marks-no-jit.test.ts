// The late-day marks trigger (analytics.mark_late_event_days) never JIT-compiles its statement. A
// session analyses that statement once, with the row count of its first batch, and keeps the
// estimate: after one large insert, every later batch of the session would be costed as large and
// compiled again (bench/history.md, "the JIT trap"). Here JIT is made due for any plan at all, and
// auto_explain reports each statement's plan, the trigger's included, as a notice.
import type postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { connect } from "../helpers/db.ts";

const notices: string[] = [];
const sql = connect({ max: 1, onnotice: (n) => notices.push(String(n.message)) });
const PROVIDER = "late-marks-jit-test";

afterAll(async () => {
  await sql.end();
});

/** The plans auto_explain reported while `fn` ran, in a transaction that is rolled back. */
async function plansWhile(fn: (tx: postgres.TransactionSql) => Promise<unknown>): Promise<string[]> {
  notices.length = 0;
  await sql.begin(async (tx) => {
    await tx.unsafe(`load 'auto_explain'`);
    await tx.unsafe(`set local auto_explain.log_min_duration = 0; set local auto_explain.log_nested_statements = on;
      set local auto_explain.log_level = notice; set local jit = on; set local jit_above_cost = 0`);
    await fn(tx);
    throw new Rollback();
  }).catch((err) => {
    if (!(err instanceof Rollback)) throw err;
  });
  return notices.filter((n) => n.includes("Query Text:"));
}
class Rollback extends Error {}

describe("the late-day marks trigger", () => {
  it("marks a batch's past day without compiling its statement, where JIT is due for every plan", async () => {
    const plans = await plansWhile(async (tx) => {
      await tx`insert into public.events_raw (event_domain, event_type, event_timestamp, provider)
        select 'payments', 'payment_failed', date_trunc('day', now()) - interval '36 hours' + g * interval '1 second', ${PROVIDER}
        from generate_series(1, 50) as g`;
      expect((await tx`select count(*)::int as n from analytics.etl_late_day_marks where marked_at = now()`)[0].n).toBe(1);
    });
    const batch = plans.find((p) => p.includes("insert into public.events_raw"));
    const marks = plans.find((p) => p.includes("insert into analytics.etl_late_day_marks"));
    // The control: JIT is on and due in this session, and the batch's own statement was compiled.
    expect(batch).toContain("JIT:");
    expect(marks).toBeDefined();
    expect(marks).not.toContain("JIT:");
  });
});

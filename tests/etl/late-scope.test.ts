// Late events rerun only the jobs that read them (analytics.etl_jobs_reading): a computed day that
// receives late payment outcomes reruns the payments job, late notifications engagement and cohort
// retention, late order events fulfillment (and engagement: order_created is user-initiated), and
// late moderation decisions nothing. A marked day that was never computed runs every job. Both the
// one-transaction nightly and the stepped one; either way the metrics then equal a rebuild from
// scratch and the independent TypeScript computation, row for row.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateEvents } from "../../lib/generator/index.ts";
import type { GeneratedEvent } from "../../lib/generator/index.ts";
import { connect } from "../helpers/db.ts";
import { addDays, Calendar } from "./expected-kpis.ts";
import { loadEvents } from "./fixtures.ts";
import { cleanWindow, eachDay, expectRowsAsExpected, expectSameSnapshots, playWindow, snapshot, useTimeZone } from "./v2-window.ts";

const notices: string[] = [];
const sql = connect({ onnotice: (n) => notices.push(n.message ?? "") });
const DAY_MS = 86_400_000;
// Within raw retention (90 days before now), away from the windows of the other suites.
const LAST = new Date(Date.now() - 44 * DAY_MS).toISOString().slice(0, 10);
const DAYS = eachDay(addDays(LAST, -6), LAST);
const TODAY = addDays(LAST, 1);
const utc = new Calendar("UTC");
// In pipeline order: the order they run in.
const ALL = ["fulfillment", "payments", "calls", "engagement", "content", "cohort_retention"];

/** Which of the window's events arrive late, on which day, and the jobs that day must rerun. */
const LATE: { day: string; late: (e: GeneratedEvent) => boolean; jobs: string[] | null }[] = [
  { day: DAYS[1], late: (e) => ["payment_succeeded", "payment_failed", "refund_issued"].includes(e.event_type), jobs: ["payments"] },
  { day: DAYS[2], late: (e) => ["notification_sent", "notification_delivered"].includes(e.event_type), jobs: ["engagement", "cohort_retention"] },
  { day: DAYS[3], late: (e) => e.event_type === "moderation_decision", jobs: null }, // nothing to rerun: not in the run
  { day: DAYS[4], late: (e) => e.event_domain === "orders", jobs: ["fulfillment", "engagement", "cohort_retention"] },
  // Never computed (its etl_days row removed below): every job, whatever the events.
  { day: DAYS[5], late: (e) => e.event_domain === "calls", jobs: ALL },
];

let events: GeneratedEvent[] = [];

beforeAll(async () => {
  events = generateEvents({ days: DAYS.length, eventsPerDay: 500, seed: 4242, endDate: LAST });
  await useTimeZone(sql, "UTC");
});

afterAll(async () => {
  await cleanWindow(sql, DAYS);
  await sql.end();
});

describe("late events rerun only the jobs that read them", () => {
  it.each([["run_nightly_etl (one transaction)"], ["run_nightly_etl_in_steps"]])("%s", async (entry) => {
    const dayOf = (e: GeneratedEvent) => utc.dateOf(Date.parse(e.event_timestamp));
    const isLate = (e: GeneratedEvent) => LATE.some((l) => l.day === dayOf(e) && l.late(e));
    await cleanWindow(sql, DAYS);
    await playWindow(sql, DAYS, events.filter((e) => !isLate(e)), new Map());
    await sql`delete from analytics.etl_days where metric_date = ${DAYS[5]}::date`;
    const late = events.filter(isLate);
    for (const l of LATE) expect(late.filter((e) => dayOf(e) === l.day).length, `late events on ${l.day}`).toBeGreaterThan(0);
    await loadEvents(sql, late);

    const [{ before }] = await sql<{ before: string }[]>`select coalesce(max(id), 0)::text as before from public.etl_job_runs`;
    notices.length = 0;
    if (entry.startsWith("run_nightly_etl_in_steps")) await sql`call analytics.run_nightly_etl_in_steps(${TODAY}::date)`;
    else await sql`select * from analytics.run_nightly_etl(${TODAY}::date)`;
    const ran = await sql<{ d: string; jobs: string[] }[]>`
      select target_date::text as d, array_agg(job_name order by id) as jobs from public.etl_job_runs
      where id > ${before}::bigint and job_name <> 'pipeline' and status = 'succeeded'
      group by target_date order by target_date`;
    const jobsOn = new Map(ran.map((r) => [r.d, r.jobs]));
    for (const l of LATE) expect(jobsOn.get(l.day) ?? null, `jobs rerun on ${l.day}`).toEqual(l.jobs);
    expect(jobsOn.get(LAST), "yesterday, in full").toEqual(ALL);
    // Later days of the late orders: their fulfillment only (etl_process_finish).
    expect(jobsOn.get(DAYS[0]) ?? null).toBeNull();
    expect([...jobsOn.keys()].every((d) => DAYS.includes(d))).toBe(true);
    // The progress lines name the jobs of a day that reruns only some.
    const progress = (day: string) => notices.find((n) => new RegExp(`^\\w+: ${day} \\(\\d+ of \\d+\\) succeeded in [\\d.]+ s`).test(n));
    expect(progress(DAYS[1])).toMatch(/ s \(payments\)$/);
    expect(progress(DAYS[4])).toMatch(/ s \(fulfillment, engagement, cohort_retention\)$/);
    expect(progress(LAST)).toMatch(/ s$/);
    const failed = await sql`select 1 from public.etl_job_runs where id > ${before}::bigint and status <> 'succeeded'`;
    expect(failed.length).toBe(0);

    const afterNightly = await snapshot(sql, DAYS);
    expectRowsAsExpected(afterNightly, events, DAYS, { zone: "UTC", horizon: utc.start(TODAY) });
    await sql`select * from analytics.rebuild_metrics(${DAYS[0]}::date, ${LAST}::date, ${TODAY}::date)`;
    expectSameSnapshots(await snapshot(sql, DAYS), afterNightly);
  }, 180_000);
});

// The operator CLI's KPI v2 commands: `time-zone` shows the reporting zone (and refuses unknown
// names with exit 2, changing nothing), `rebuild --from --to` recomputes a range from scratch with a
// line of progress per day.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateEvents } from "../../lib/generator/index.ts";
import type { GeneratedEvent } from "../../lib/generator/index.ts";
import { connect } from "../helpers/db.ts";
import { ops } from "../helpers/ops.ts";
import { cleanupDays, loadEvents, metricRows } from "../etl/fixtures.ts";

const sql = connect();
const DAYS = ["2026-09-14", "2026-09-15"];
let events: GeneratedEvent[] = [];

beforeAll(async () => {
  events = generateEvents({ days: 2, eventsPerDay: 300, seed: 914, endDate: DAYS[1] });
  await cleanupDays(sql, DAYS, events.map((e) => e.event_id));
  await loadEvents(sql, events);
});
afterAll(async () => {
  await cleanupDays(sql, DAYS, events.map((e) => e.event_id));
  await sql.end();
});

describe("ops time-zone", () => {
  it("shows the zone and today's local date", () => {
    const r = ops("time-zone");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^reporting time zone: UTC \(local today \d{4}-\d{2}-\d{2}, \d{2}:\d{2}\)/);
  });

  it("refuses an unknown zone with exit 2 and a clear message, changing nothing", async () => {
    const r = ops("time-zone", "set", "Mars/Olympus_Mons");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown time zone 'Mars\/Olympus_Mons': use an IANA name/);
    const [{ zone }] = await sql<{ zone: string }[]>`select analytics.reporting_time_zone() as zone`;
    expect(zone).toBe("UTC");
  });

  it("says so when the zone is already set", () => {
    const r = ops("time-zone", "set", "utc");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("reporting time zone is UTC (unchanged)");
  });
});

describe("ops rebuild", () => {
  it("recomputes every day of the range with a line of progress per day", async () => {
    const r = ops("rebuild", "--from", DAYS[0], "--to", DAYS[1]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`rebuild: ${DAYS[0]} \\(1 of 2\\) succeeded in [\\d.]+ s`));
    expect(r.stderr).toMatch(new RegExp(`rebuild: ${DAYS[1]} \\(2 of 2\\) succeeded in [\\d.]+ s`));
    expect(r.stdout).toContain("2 day(s) computed");
    expect((await metricRows(sql, "metrics_daily_engagement", DAYS[1]))[0].dau).toBeGreaterThan(0);
  });

  it("refuses a range that ends before it starts", () => {
    const r = ops("rebuild", "--from", DAYS[1], "--to", DAYS[0]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is after --to/);
  });
});

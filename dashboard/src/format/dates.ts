// Calendar days as `YYYY-MM-DD` strings (the API's dates: local days of the reporting time zone)
// and the range presets. Day arithmetic is calendar arithmetic (done in UTC, where every day has 24
// hours); only "today" depends on the zone.
const DAY_MS = 86_400_000;
const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

export type DateRange = { start: string; end: string };

function toIsoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** True for a real calendar day in `YYYY-MM-DD` form (2026-02-30 is not). */
export function isIsoDay(s: string): boolean {
  return ISO_DAY.test(s) && toIsoDay(new Date(`${s}T00:00:00Z`)) === s;
}

export function addDays(day: string, n: number): string {
  return toIsoDay(new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS));
}

/** Inclusive number of days in a range. */
export function daysInRange(r: DateRange): number {
  return Math.round((Date.parse(`${r.end}T00:00:00Z`) - Date.parse(`${r.start}T00:00:00Z`)) / DAY_MS) + 1;
}

/** Every day of a range, in order. */
export function eachDay(r: DateRange): string[] {
  const out: string[] = [];
  for (let d = r.start; d <= r.end; d = addDays(d, 1)) out.push(d);
  return out;
}

/** Today's date in a time zone (IANA name). */
export function todayIn(zone: string, now: Date = new Date()): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" }).format(now);
}

/** Yesterday in the reporting time zone: the latest day the nightly ETL has computed. */
export function yesterdayIn(zone: string, now: Date = new Date()): string {
  return addDays(todayIn(zone, now), -1);
}

/** The last `days` days ending on `end` (inclusive). */
export function presetRange(days: number, end: string): DateRange {
  return { start: addDays(end, -(days - 1)), end };
}

/** Clamps a range so that it starts no earlier than `min` (e.g. a reader's 30-day window). */
export function clampRange(r: DateRange, min: string | null): DateRange {
  if (!min) return r;
  const start = r.start < min ? min : r.start;
  return { start, end: r.end < start ? start : r.end };
}

/** "1 Nov 2026" — for headings; the API's strings stay in ISO form. */
export function formatDay(day: string): string {
  return new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" })
    .format(new Date(`${day}T00:00:00Z`));
}

/** "1 Nov" — chart ticks and tile comparisons. */
export function formatShortDay(day: string): string {
  return new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", timeZone: "UTC" }).format(new Date(`${day}T00:00:00Z`));
}

/** "1 Nov 2026 – 30 Nov 2026". */
export function formatRange(r: DateRange): string {
  return r.start === r.end ? formatDay(r.start) : `${formatDay(r.start)} – ${formatDay(r.end)}`;
}

// Query parameter schemas of the metrics endpoints (zod). Unknown parameters are rejected
// (strict objects); every message names what is wrong so the 400 says which parameter to fix.
import { z } from "zod";

export const MAX_RANGE_DAYS = 366;
const DAY_MS = 86_400_000;
const required = (what: string) => ({ error: (i: { input: unknown }) => (i.input === undefined ? "is required" : `must be ${what}`) });

/** A calendar day YYYY-MM-DD that exists (no 2026-02-30), years 1970..9999. */
function isCalendarDate(s: unknown): s is string {
  if (typeof s !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s && d.getUTCFullYear() >= 1970;
}

const isoDate = z.string(required("a date YYYY-MM-DD"))
  .refine(isCalendarDate, "must be an existing date YYYY-MM-DD (year 1970 or later)");

const upperCode = (length: number, what: string) =>
  z.string().transform((s) => s.toUpperCase())
    .pipe(z.string().regex(new RegExp(`^[A-Z]{${length}}$`), `must be ${what}`));

const dimension = z.string().min(1, "must not be empty").max(256, "must be at most 256 characters");
const uuid = z.string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, "must be a uuid")
  .transform((s) => s.toLowerCase());

/** "1,7,30" → [1, 7, 30]: distinct integers 0..365, ascending. */
const retentionDays = z.string().transform((s, ctx) => {
  const parts = s.split(",").map((p) => p.trim());
  if (parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 365)) {
    ctx.addIssue({ code: "custom", message: "must be a comma-separated list of integers 0..365" });
    return z.NEVER;
  }
  return [...new Set(parts.map(Number))].sort((a, b) => a - b);
});

const format = z.enum(["json", "csv"], { error: "must be json or csv" });

/** Filters the table endpoints accept (equality on the column of the same name). */
const FILTERS = {
  service_code: dimension,
  reader_id: uuid,
  provider: dimension,
  country_code: upperCode(2, "an ISO 3166-1 alpha-2 country code"),
  currency: upperCode(3, "an ISO 4217 currency code"),
} as const;
export type Filter = keyof typeof FILTERS;

/** Checks an inclusive range: start <= end and at most MAX_RANGE_DAYS days. */
function checkRange(startKey: string, endKey: string) {
  return (v: Record<string, unknown>, ctx: z.RefinementCtx) => {
    if (!isCalendarDate(v[startKey]) || !isCalendarDate(v[endKey])) return; // already reported
    const days = (Date.parse(String(v[endKey])) - Date.parse(String(v[startKey]))) / DAY_MS + 1;
    if (days < 1) ctx.addIssue({ code: "custom", path: [startKey], message: `must be on or before ${endKey}` });
    else if (days > MAX_RANGE_DAYS) {
      ctx.addIssue({ code: "custom", path: [endKey], message: `range is ${days} days; at most ${MAX_RANGE_DAYS} (inclusive)` });
    }
  };
}

export function rangeParams<F extends Filter>(filters: readonly F[]) {
  const shape = Object.fromEntries(filters.map((f) => [f, FILTERS[f].optional()])) as { [K in F]: z.ZodOptional<(typeof FILTERS)[K]> };
  return z.strictObject({ start_date: isoDate, end_date: isoDate, format: format.optional(), ...shape })
    .superRefine(checkRange("start_date", "end_date"));
}

export const cohortParams = z.strictObject({
  cohort_start: isoDate,
  cohort_end: isoDate,
  retention_days: retentionDays.optional(),
  format: format.optional(),
}).superRefine(checkRange("cohort_start", "cohort_end"));

export const overviewParams = z.strictObject({ date: isoDate });

export const noParams = z.strictObject({});

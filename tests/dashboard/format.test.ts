// Unit tests of the dashboard's pure formatting and row helpers (no browser needed).
import { describe, expect, it } from "vitest";
import { addDays, clampRange, daysInRange, eachDay, formatRange, isIsoDay, presetRange, yesterdayIn } from "../../dashboard/src/format/dates.ts";
import { formatDuration } from "../../dashboard/src/format/durations.ts";
import { contrastRatio, heatStyle, relativeLuminance } from "../../dashboard/src/format/heat.ts";
import { DASH, formatChange, formatCount, formatMoney, formatPercentValue, formatRate } from "../../dashboard/src/format/numbers.ts";
import { formatValue } from "../../dashboard/src/format/value.ts";
import { ISO_4217_CURRENCIES, ISO_4217_MINOR_UNITS } from "../../supabase/functions/_shared/iso4217.ts";
import { DOMAINS } from "../../dashboard/src/domains.ts";
import { busiestGroup, headlineRows, rangeTotals, seriesByDay } from "../../dashboard/src/rows.ts";
import { overviewSections } from "../../dashboard/src/overview-model.ts";
import { queryString } from "../../dashboard/src/api.ts";
import { pagesFor } from "../../dashboard/src/roles.ts";
import { ApiFailure } from "../../dashboard/src/api.ts";
import { describeError } from "../../dashboard/src/ui/status.ts";

describe("numbers", () => {
  it("shows missing values as a dash, never 0", () => {
    for (const f of [formatCount, formatRate, formatPercentValue, (v: number | null) => formatMoney(v, "EUR"), formatDuration]) {
      expect(f(null)).toBe(DASH);
      expect(f(undefined as unknown as null)).toBe(DASH);
      expect(f(Number.NaN)).toBe(DASH);
    }
    expect(formatValue("rate", null)).toBe(DASH);
    expect(formatRate(0)).toBe("0.0%");
    expect(formatCount(0)).toBe("0");
  });
  it("formats rates, counts and percentages", () => {
    expect(formatRate(0.1234)).toBe("12.3%");
    expect(formatRate(1)).toBe("100.0%");
    expect(formatCount(1234567)).toBe("1,234,567");
    expect(formatPercentValue(73.25)).toBe("73.3%");
  });
  it("formats cents as money in the row's currency", () => {
    expect(formatMoney(123456, "EUR")).toBe("€1,234.56");
    expect(formatMoney(-500, "USD")).toBe("-$5.00");
    expect(formatMoney(2550.5, "GBP")).toBe("£25.51");
    expect(formatMoney(1000, "AED")).toMatch(/AED\s?10\.00/);
    expect(formatMoney(100, null)).toBe("1.00");
  });
  it("places the decimal point by the currency's ISO 4217 minor units", () => {
    expect(formatMoney(1234, "EUR")).toBe("€12.34");
    expect(formatMoney(1234, "KWD")).toMatch(/^KWD\s1\.234$/);
    expect(formatMoney(1500, "BHD")).toMatch(/^BHD\s1\.500$/);
    expect(formatMoney(1234, "JPY")).toBe("¥1,234");
    expect(formatMoney(50000, "KRW")).toBe("₩50,000");
    // A fractional average rounds to the currency's places.
    expect(formatMoney(1234.5, "JPY")).toBe("¥1,235");
    expect(formatMoney(1234.56, "KWD")).toMatch(/^KWD\s1\.235$/);
    // Where CLDR's display digits differ from ISO's minor units (IQD 0 vs 3, HUF 0 vs 2), ISO decides.
    expect(formatMoney(1234, "IQD")).toMatch(/^IQD\s1\.234$/);
    expect(formatMoney(1234, "HUF")).toMatch(/^HUF\s12\.34$/);
    expect(formatValue("money", 1234, "JPY")).toBe("¥1,234");
  });
  it("takes the minor units from the one ISO 4217 table ingest validates codes with", () => {
    expect(["KWD", "BHD", "OMR", "JOD", "JPY", "KRW", "EUR", "SAR"].map((c) => ISO_4217_MINOR_UNITS.get(c))).toEqual([3, 3, 3, 3, 0, 0, 2, 2]);
    // 28 codes with 0 (17 currencies, 11 units of account), 7 with 3, 2 with 4: a mistyped code would drop one.
    const other = [...ISO_4217_MINOR_UNITS.values()].filter((e) => e !== 2);
    expect(other.length).toBe(37);
    expect([...ISO_4217_MINOR_UNITS.keys()]).toEqual([...ISO_4217_CURRENCIES]);
  });
  it("describes changes in percentage points for rates and relative % otherwise", () => {
    expect(formatChange(0.55, 0.5, "rate")).toEqual({ text: "+5.0 pp", direction: "up" });
    expect(formatChange(0.45, 0.5, "rate")).toEqual({ text: "−5.0 pp", direction: "down" });
    expect(formatChange(120, 100, "relative")).toEqual({ text: "+20.0%", direction: "up" });
    expect(formatChange(100, 100, "relative")).toEqual({ text: "±0.0%", direction: "flat" });
    expect(formatChange(5, 0, "relative").text).toBe("new");
    expect(formatChange(null, 1, "rate")).toEqual({ text: DASH, direction: "none" });
    expect(formatChange(1, null, "relative").direction).toBe("none");
  });
});

describe("durations", () => {
  it("reads like a person would say it", () => {
    expect(formatDuration(0)).toBe("0 s");
    expect(formatDuration(4.25)).toBe("4.3 s");
    expect(formatDuration(42)).toBe("42 s");
    expect(formatDuration(95)).toBe("1 min 35 s");
    expect(formatDuration(120)).toBe("2 min");
    expect(formatDuration(7260)).toBe("2 h 1 min");
    expect(formatDuration(200000)).toBe("2 d 7 h");
  });
});

describe("dates", () => {
  it("validates and walks UTC days", () => {
    expect(isIsoDay("2026-02-28")).toBe(true);
    expect(isIsoDay("2026-02-30")).toBe(false);
    expect(isIsoDay("2026-2-3")).toBe(false);
    expect(addDays("2026-03-01", -1)).toBe("2026-02-28");
    expect(daysInRange({ start: "2026-11-01", end: "2026-11-30" })).toBe(30);
    expect(eachDay({ start: "2026-10-31", end: "2026-11-02" })).toEqual(["2026-10-31", "2026-11-01", "2026-11-02"]);
    expect(presetRange(7, "2026-11-24")).toEqual({ start: "2026-11-18", end: "2026-11-24" });
    expect(clampRange({ start: "2026-10-01", end: "2026-11-24" }, "2026-10-26")).toEqual({ start: "2026-10-26", end: "2026-11-24" });
    expect(yesterdayIn("UTC", new Date("2026-11-25T00:30:00Z"))).toBe("2026-11-24");
    // 21:30 UTC is already the next day in Riyadh (UTC+3), still the same day in Cairo (UTC+2).
    expect(yesterdayIn("Asia/Riyadh", new Date("2026-11-24T21:30:00Z"))).toBe("2026-11-24");
    expect(yesterdayIn("Africa/Cairo", new Date("2026-11-24T21:30:00Z"))).toBe("2026-11-23");
    expect(formatRange({ start: "2026-11-01", end: "2026-11-30" })).toBe("1 Nov 2026 – 30 Nov 2026");
  });
});

describe("heat map colours", () => {
  it("keeps text readable (WCAG AA 4.5:1) on every shade", () => {
    for (let r = 0; r <= 1.0001; r += 0.05) {
      const s = heatStyle(r)!;
      const bg = s.background.match(/\d+/g)!.map(Number);
      const fg = s.color === "#ffffff" ? 1 : relativeLuminance([0, 0, 0]);
      expect(contrastRatio(relativeLuminance(bg), fg)).toBeGreaterThanOrEqual(4.5);
    }
    expect(heatStyle(null)).toBeNull();
  });
});

describe("rows", () => {
  const payments = [
    { metric_date: "2026-11-01", provider: "stripe", country_code: "DE", currency: "EUR", attempts: 10, successes: 8, attempts_succeeded: 8, fallback_attempts: 1, refunds: 1, successes_refunded: 1, gross_cents: 800, success_rate: 0.8 },
    { metric_date: "2026-11-01", provider: null, country_code: null, currency: "EUR", attempts: 10, successes: 8, attempts_succeeded: 8, fallback_attempts: 1, refunds: 1, successes_refunded: 1, gross_cents: 800, success_rate: 0.8 },
    { metric_date: "2026-11-01", provider: null, country_code: null, currency: "USD", attempts: 4, successes: 1, attempts_succeeded: 1, fallback_attempts: 0, refunds: 2, successes_refunded: 0, gross_cents: 100, success_rate: 0.25 },
    { metric_date: "2026-11-02", provider: null, country_code: null, currency: "EUR", attempts: 0, successes: 0, attempts_succeeded: 0, fallback_attempts: 0, refunds: 0, successes_refunded: 0, gross_cents: 0, success_rate: null },
  ];
  it("picks the total row per day and currency", () => {
    const h = headlineRows(payments, DOMAINS.payments);
    expect(h).toHaveLength(3);
    expect(h.every((r) => r.provider === null)).toBe(true);
    expect(busiestGroup(h, "currency", "attempts")).toBe("EUR");
  });
  it("totals a range per currency with rates recomputed from their numerators and denominators", () => {
    const t = rangeTotals(DOMAINS.payments, headlineRows(payments, DOMAINS.payments));
    expect(t.map((x) => x.group)).toEqual(["EUR", "USD"]);
    expect(t[0]!.values.attempts).toBe(10);
    expect(t[0]!.values.success_rate).toBe(0.8);
    expect(t[0]!.values.avg_transaction_cents).toBe(100);
    expect(t[1]!.values.refund_rate).toBe(0); // refunds of earlier payments are not the day's refunded successes
    expect(t[0]!.values.duration_p95_s).toBeUndefined();
  });
  it("keeps a zero-denominator total rate null", () => {
    const t = rangeTotals(DOMAINS.content, [{ metric_date: "2026-11-01", approved: 0, rejected: 0 }]);
    expect(t[0]!.values.approval_rate).toBeNull();
  });
  it("uses a reader's own per-reader total when the grand total is not theirs", () => {
    const rows = [
      { metric_date: "2026-11-01", service_code: "tarot", reader_id: "r1" },
      { metric_date: "2026-11-01", service_code: null, reader_id: "r1" },
    ];
    expect(headlineRows(rows, DOMAINS.fulfillment)).toEqual([rows[1]]);
  });
  it("adds up a day's rows when a filter leaves no total row", () => {
    const rows = [
      { metric_date: "2026-11-01", service_code: "tarot", provider: "twilio", started: 10, answered: 8, dropped: 2, started_answered: 8, answered_dropped: 2, duration_p95_s: 100 },
      { metric_date: "2026-11-01", service_code: "astro", provider: "twilio", started: 10, answered: 2, dropped: 0, started_answered: 2, answered_dropped: 0, duration_p95_s: 300 },
    ];
    const [row] = headlineRows(rows, DOMAINS.calls);
    expect(row).toMatchObject({ service_code: null, provider: "twilio", started: 20, answered: 10, answer_rate: 0.5, drop_rate: 0.2, duration_p95_s: null });
  });
  it("totals event means weighted by their event counts, and leaves p95 and DAU empty", () => {
    const t = rangeTotals(DOMAINS.engagement, [
      { metric_date: "2026-11-01", dau: 10, listens: 1, listen_through_avg_pct: 100 },
      { metric_date: "2026-11-02", dau: 12, listens: 3, listen_through_avg_pct: 20 },
      { metric_date: "2026-11-03", dau: 11, listens: 0, listen_through_avg_pct: null },
    ]);
    expect(t[0]!.values.listen_through_avg_pct).toBe(40);
    expect(t[0]!.values.dau).toBeNull();
    const calls = rangeTotals(DOMAINS.calls, [{ metric_date: "2026-11-01", completed: 2, duration_avg_s: 60, duration_p95_s: 90 }, { metric_date: "2026-11-02", completed: 1, duration_avg_s: 30, duration_p95_s: 30 }]);
    expect(calls[0]!.values.duration_avg_s).toBe(50);
    expect(calls[0]!.values.duration_p95_s).toBeNull();
  });
  it("lines values up by day with gaps as null", () => {
    expect(seriesByDay([{ metric_date: "2026-11-02", x: 0.5 }], ["2026-11-01", "2026-11-02"], "x", 100)).toEqual([null, 50]);
  });
});

describe("overview model", () => {
  it("reads sections given as rows or lists", () => {
    const s = overviewSections({
      date: "2026-11-01",
      calls: [{ metric_date: "2026-11-01", service_code: "tarot", provider: "twilio", started: 2 }, { metric_date: "2026-11-01", service_code: null, provider: null, started: 5 }],
      content: { metric_date: "2026-11-01", published: 12 },
      etl: [],
    });
    expect(s.map((x) => x.domain)).toEqual(["calls", "content"]);
    expect(s[0]!.rows).toEqual([{ metric_date: "2026-11-01", service_code: null, provider: null, started: 5 }]);
    expect(s[1]!.rows[0]!.published).toBe(12);
  });
});

describe("api and roles", () => {
  it("drops empty params from the query string", () => {
    expect(queryString({ start_date: "2026-11-01", provider: "", currency: undefined, x: null })).toBe("?start_date=2026-11-01");
    expect(queryString({})).toBe("");
  });
  it("limits pages by role", () => {
    expect(pagesFor("monitor")).toEqual(["overview", "calls", "content"]);
    expect(pagesFor("reader")).toEqual(["overview", "fulfillment"]);
    expect(pagesFor("admin")).toContain("payments");
    expect(pagesFor("client")).toEqual([]);
  });
});

describe("error messages", () => {
  it("tells the user what happened for 401, 403, 400, 5xx and network failures", () => {
    const v401 = describeError(new ApiFailure(401, "unauthorized", "token expired"), "the overview");
    expect(v401).toMatchObject({ title: "Please sign in again", signIn: true });
    expect(describeError(new ApiFailure(403, "forbidden", "monitors cannot read payments"), "payments").detail).toContain("monitors cannot read payments");
    expect(describeError(new ApiFailure(400, "invalid_params", "end_date: too far"), "x")).toMatchObject({ detail: "end_date: too far", retry: false });
    const v503 = describeError(new ApiFailure(503, "unavailable", "db down"), "calls");
    expect(v503).toMatchObject({ title: "The metrics service had a problem", retry: true });
    expect(v503.detail).toContain("HTTP 503");
    expect(describeError(new ApiFailure(0, "network_error", "unreachable."), "x").title).toBe("Cannot reach the metrics service");
  });
});

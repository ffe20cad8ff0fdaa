// Display formatting for KPI values. Every formatter shows a missing value (null/undefined/NaN)
// as "—": a rate with a zero denominator is unknown, not 0 %.
import { ISO_4217_MINOR_UNITS } from "../../../supabase/functions/_shared/iso4217.ts";

export const DASH = "—";

const isMissing = (v: number | null | undefined): v is null | undefined =>
  v === null || v === undefined || Number.isNaN(v);

const counts = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

/** Event and user counts: "12,345". */
export function formatCount(v: number | null | undefined): string {
  return isMissing(v) ? DASH : counts.format(v);
}

/** A fraction in [0, 1] as a percentage: 0.1234 → "12.3%". */
export function formatRate(v: number | null | undefined, digits = 1): string {
  if (isMissing(v)) return DASH;
  return new Intl.NumberFormat("en-US", {
    style: "percent",
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(v);
}

/** A value that is already a percentage 0..100 (listen-through): 73.25 → "73.3%". */
export function formatPercentValue(v: number | null | undefined, digits = 1): string {
  return isMissing(v) ? DASH : formatRate(v / 100, digits);
}

/**
 * An amount in the currency's minor units (integer, or a fractional average), shown in the currency
 * with its ISO 4217 decimal places: (123456, "EUR") → "€1,234.56", (1234, "KWD") → "KWD 1.234",
 * (1234, "JPY") → "¥1,234". Without a currency, or with a code ISO does not list, two places.
 */
export function formatMoney(minor: number | null | undefined, currency: string | null | undefined): string {
  if (isMissing(minor)) return DASH;
  const exponent = (currency ? ISO_4217_MINOR_UNITS.get(currency) : undefined) ?? 2;
  const units = minor / 10 ** exponent;
  const digits = { minimumFractionDigits: exponent, maximumFractionDigits: exponent };
  if (!currency) return new Intl.NumberFormat("en-US", digits).format(units);
  try {
    return new Intl.NumberFormat("en-US", { style: "currency", currency, ...digits }).format(units);
  } catch {
    // An unknown code still shows the amount, labelled with the code.
    return `${units.toFixed(exponent)} ${currency}`;
  }
}

/** Change between two values of the same KPI, for tiles. Rates change in percentage points. */
export type Change = { text: string; direction: "up" | "down" | "flat" | "none" };

export function formatChange(current: number | null | undefined, previous: number | null | undefined, kind: "rate" | "relative"): Change {
  if (isMissing(current) || isMissing(previous)) return { text: DASH, direction: "none" };
  const direction = current > previous ? "up" : current < previous ? "down" : "flat";
  if (kind === "rate") {
    const pp = (current - previous) * 100;
    return { text: `${pp > 0 ? "+" : pp < 0 ? "−" : "±"}${Math.abs(pp).toFixed(1)} pp`, direction };
  }
  if (previous === 0) return { text: current === 0 ? "±0.0%" : "new", direction };
  const pct = ((current - previous) / Math.abs(previous)) * 100;
  return { text: `${pct > 0 ? "+" : pct < 0 ? "−" : "±"}${Math.abs(pct).toFixed(1)}%`, direction };
}

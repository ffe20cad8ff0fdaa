// One entry point to format any KPI field by its kind, so tables, tiles and charts agree.
import { formatDuration } from "./durations.ts";
import { DASH, formatCount, formatMoney, formatPercentValue, formatRate } from "./numbers.ts";
import { formatDay } from "./dates.ts";

export type ValueKind = "count" | "rate" | "money" | "duration" | "percent" | "text" | "date";

/** Formats `value` of a field of `kind`; money takes its currency from the row. */
export function formatValue(kind: ValueKind, value: unknown, currency?: string | null): string {
  if (value === null || value === undefined || value === "") return DASH;
  switch (kind) {
    case "count":
      return formatCount(Number(value));
    case "rate":
      return formatRate(Number(value));
    case "percent":
      return formatPercentValue(Number(value));
    case "money":
      return formatMoney(Number(value), currency);
    case "duration":
      return formatDuration(Number(value));
    case "date":
      return typeof value === "string" ? formatDay(value) : String(value);
    case "text":
      return String(value);
  }
}

/** A dimension cell: null means "all values" (a total row) in the API's rows. */
export function formatDimension(value: unknown, allLabel: string): string {
  return value === null || value === undefined ? allLabel : String(value);
}

export { DASH };

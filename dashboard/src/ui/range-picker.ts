// Date-range picker: presets (7/30/90 days ending on the latest computed day) and a custom
// range. Calls onChange with a valid inclusive range of at most 366 days.
import { clampRange, daysInRange, formatRange, isIsoDay, presetRange, type DateRange } from "../format/dates.ts";
import { h, uid } from "./dom.ts";

const PRESETS = [7, 30, 90] as const;
export const MAX_RANGE_DAYS = 366;

export type RangePickerOptions = {
  range: DateRange;
  latest: string;
  /** Earliest selectable day (a reader's 30-day window), or null. */
  min: string | null;
  legend?: string;
  onChange: (r: DateRange) => void;
};

export function rangePicker(opts: RangePickerOptions): HTMLElement {
  const presets = PRESETS.filter((days) => !opts.min || presetRange(days, opts.latest).start >= opts.min);
  const startId = uid("range-start");
  const endId = uid("range-end");
  const error = h("p", { class: "field-error", role: "alert", hidden: true });
  const start = h("input", { id: startId, type: "date", value: opts.range.start, min: opts.min ?? undefined, max: opts.latest, required: true });
  const end = h("input", { id: endId, type: "date", value: opts.range.end, min: opts.min ?? undefined, max: opts.latest, required: true });
  const presetButtons = presets.map((days) => {
    const r = presetRange(days, opts.latest);
    const active = r.start === opts.range.start && r.end === opts.range.end;
    return h("button", { type: "button", class: "chip", "aria-pressed": active ? "true" : "false", "data-preset": days, onclick: () => opts.onChange(r) }, `Last ${days} days`);
  });
  const form = h(
    "form",
    { class: "range-custom", "aria-label": "Custom date range" },
    h("div", { class: "field" }, h("label", { for: startId }, "From"), start),
    h("div", { class: "field" }, h("label", { for: endId }, "To"), end),
    h("button", { type: "submit", class: "button" }, "Apply"),
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const r = { start: start.value, end: end.value };
    const problem = !isIsoDay(r.start) || !isIsoDay(r.end)
      ? "Enter both dates."
      : r.start > r.end
        ? "The start date must be on or before the end date."
        : daysInRange(r) > MAX_RANGE_DAYS
          ? `Choose at most ${MAX_RANGE_DAYS} days.`
          : opts.min && r.start < opts.min
            ? `Your role can see data from ${opts.min} on.`
            : null;
    error.hidden = !problem;
    error.textContent = problem ?? "";
    if (!problem) opts.onChange(r);
  });
  return h(
    "fieldset",
    { class: "range-picker" },
    h("legend", {}, opts.legend ?? "Date range"),
    h("p", { class: "range-current" }, formatRange(opts.range)),
    h("div", { class: "chips", role: "group", "aria-label": "Preset ranges" }, ...presetButtons),
    form,
    error,
  );
}

/** The range from a route's params, else the default preset; clamped to [min, latest]. */
export function rangeFromParams(params: URLSearchParams, latest: string, min: string | null, defaultDays = 30): DateRange {
  const s = params.get("start");
  const e = params.get("end");
  const r = s && e && isIsoDay(s) && isIsoDay(e) && s <= e ? { start: s, end: e } : presetRange(defaultDays, latest);
  return clampRange(r, min);
}

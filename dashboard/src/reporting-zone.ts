// The reporting time zone (docs/design.md §10.1): the API's dates are local dates in it, and every
// answer names it (meta.time_zone). Remembered for the tab so that labels and "yesterday" are
// right from the first paint of the next page; a change re-renders the page.
const KEY = "samia.reportingTimeZone";
const storage = typeof sessionStorage === "undefined" ? undefined : sessionStorage; // absent in unit tests
let zone = storage?.getItem(KEY) ?? "UTC";
const listeners = new Set<() => void>();

export function reportingZone(): string {
  return zone;
}

/** Records the zone an API answer names; listeners run when it differs from the one shown. */
export function noteReportingZone(value: unknown): void {
  if (typeof value !== "string" || !value || value === zone) return;
  zone = value;
  storage?.setItem(KEY, value);
  for (const f of listeners) f();
}

export function onReportingZoneChange(f: () => void): void {
  listeners.add(f);
}

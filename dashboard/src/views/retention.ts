// Cohort retention: one row per cohort day, one column per retention day N, each cell the share
// of the cohort active on day C+N, coloured as a heat map. Days not computed yet stay empty.
import type { Row } from "../api.ts";
import type { ViewContext } from "../context.ts";
import { reportingZone } from "../reporting-zone.ts";
import { addDays, formatDay, formatRange, yesterdayIn, type DateRange } from "../format/dates.ts";
import { heatStyle } from "../format/heat.ts";
import { DASH, formatCount, formatRate } from "../format/numbers.ts";
import { navigate } from "../router.ts";
import { clear, h, uid } from "../ui/dom.ts";
import { rangeFromParams, rangePicker } from "../ui/range-picker.ts";
import { announce, empty, errorBox, loading } from "../ui/status.ts";
import { csvButton } from "../ui/table.ts";

const RETENTION_DAY_SETS = ["0,1,2,3,7,14,30", "0,1,7,14,30,60,90", "0,1,2,3,4,5,6,7"];

export function retentionView(ctx: ViewContext, params: URLSearchParams): HTMLElement {
  const latest = yesterdayIn(reportingZone());
  const range = rangeFromParams(params, latest, null, 30);
  const days = RETENTION_DAY_SETS.includes(params.get("days") ?? "") ? params.get("days")! : RETENTION_DAY_SETS[0]!;
  const go = (r: DateRange, d = days) => navigate("retention", { start: r.start, end: r.end, days: d });

  const selectId = uid("retention-days");
  const select = h("select", { id: selectId, onchange: (ev: Event) => go(range, (ev.target as HTMLSelectElement).value) }, ...RETENTION_DAY_SETS.map((s) => h("option", { value: s, selected: s === days }, `Days ${s.replace(/,/g, ", ")}`)));
  const body = h("div", { class: "retention-body" }, loading("cohort retention"));
  const page = h(
    "section",
    { class: "page", "aria-labelledby": "page-title", "data-page": "retention" },
    h("header", { class: "page-header" }, h("h1", { id: "page-title", tabindex: -1 }, "Cohort retention"), h("p", { class: "lede" }, "Users grouped by the day of their first activity; each cell is the share of that cohort active N days later.")),
    h("div", { class: "controls" }, rangePicker({ range, latest, min: null, legend: "Cohort days", onChange: (r) => go(r) }), h("div", { class: "field" }, h("label", { for: selectId }, "Retention days"), select)),
    body,
  );
  const apiParams = { cohort_start: range.start, cohort_end: range.end, retention_days: days };
  const load = async () => {
    clear(body);
    body.appendChild(loading("cohort retention"));
    try {
      const res = await ctx.api.get("cohort-retention", apiParams);
      const rows = (Array.isArray(res.data) ? res.data : []) as Row[];
      clear(body);
      if (!rows.length) {
        body.appendChild(empty(`No cohorts between ${formatRange(range)}. Try a longer range.`));
        return;
      }
      body.appendChild(
        h(
          "section",
          { class: "card", "aria-label": "Retention heat map" },
          h("h2", {}, "Retention by cohort"),
          csvButton({ filename: `cohort-retention_${range.start}_${range.end}.csv`, fetch: () => ctx.api.csv("cohort-retention", apiParams) }, "cohort retention"),
          heatTable(rows, days.split(",").map(Number), range),
        ),
      );
      announce(`Cohort retention loaded for ${formatRange(range)}.`);
    } catch (err) {
      clear(body);
      body.appendChild(errorBox(err, "cohort retention", load));
    }
  };
  void load();
  return page;
}

function heatTable(rows: Row[], retentionDays: number[], range: DateRange): HTMLElement {
  const cohorts = new Map<string, { size: number | null; cells: Map<number, Row> }>();
  for (const r of rows) {
    const c = String(r.cohort_date);
    const entry = cohorts.get(c) ?? { size: null, cells: new Map() };
    if (typeof r.cohort_size === "number") entry.size = r.cohort_size;
    entry.cells.set(Number(r.retention_day), r);
    cohorts.set(c, entry);
  }
  const latest = yesterdayIn(reportingZone());
  const sorted = [...cohorts.entries()].sort(([a], [b]) => a.localeCompare(b));
  return h(
    "div",
    { class: "table-scroll", tabindex: 0, role: "region", "aria-label": "Retention table (scrollable)" },
    h(
      "table",
      { id: "retention-table", class: "heat" },
      h("caption", {}, `Day-N retention of cohorts ${formatRange(range)}`),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Cohort"), h("th", { scope: "col", class: "num" }, "Users"), ...retentionDays.map((d) => h("th", { scope: "col", class: "num" }, `Day ${d}`)))),
      h(
        "tbody",
        {},
        ...sorted.map(([cohort, entry]) =>
          h(
            "tr",
            {},
            h("th", { scope: "row" }, formatDay(cohort)),
            h("td", { class: "num" }, formatCount(entry.size)),
            ...retentionDays.map((d) => {
              const cell = entry.cells.get(d);
              const rate = typeof cell?.retention_rate === "number" ? cell.retention_rate : null;
              const style = heatStyle(rate);
              const future = addDays(cohort, d) > latest;
              const title = cell ? `${formatDay(cohort)} cohort, day ${d}: ${formatCount(cell.retained_users as number)} of ${formatCount(entry.size)} users` : future ? "Not reached yet" : "Not computed";
              return h("td", { class: `num heat-cell${future ? " heat-future" : ""}`, title, "data-day": d, style: style ? `background:${style.background};color:${style.color}` : undefined }, cell ? formatRate(rate) : future ? "" : DASH);
            }),
          ),
        ),
      ),
    ),
  );
}

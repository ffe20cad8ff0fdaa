// One page per KPI domain: date range, filters, charts of the headline rows by day, and the
// table (daily totals by default, every breakdown row on request) with range totals and CSV.
import type { Row } from "../api.ts";
import type { ViewContext } from "../context.ts";
import { reportingZone } from "../reporting-zone.ts";
import { DOMAINS, type Domain, type DomainKey } from "../domains.ts";
import { addDays, eachDay, formatRange, yesterdayIn, type DateRange } from "../format/dates.ts";
import { historyLimitDays } from "../roles.ts";
import { navigate } from "../router.ts";
import { busiestGroup, combineRows, distinctValues, headlineSets, rangeTotals, seriesByDay } from "../rows.ts";
import { timeSeriesChart } from "../ui/chart.ts";
import { clear, h } from "../ui/dom.ts";
import { filterForm } from "../ui/filters.ts";
import { rangeFromParams, rangePicker } from "../ui/range-picker.ts";
import { announce, empty, errorBox, loading } from "../ui/status.ts";
import { dataTable, type TableColumn } from "../ui/table.ts";

const ALL_LABELS: Record<string, string> = {
  service_code: "All services",
  reader_id: "All readers",
  provider: "All providers",
  country_code: "All countries",
  currency: "All currencies",
};

export function domainView(ctx: ViewContext, key: DomainKey, params: URLSearchParams): HTMLElement {
  const domain = DOMAINS[key];
  const latest = yesterdayIn(reportingZone());
  const limit = historyLimitDays(ctx.session.role);
  const min = limit ? addDays(latest, -(limit - 1)) : null;
  const range = rangeFromParams(params, latest, min);
  const filters = domain.filters.filter((f) => !f.adminOnly || ctx.session.role === "admin" || ctx.session.role === "superadmin");
  const filterValues: Record<string, string> = {};
  for (const f of filters) {
    const v = params.get(f.param);
    if (v) filterValues[f.param] = v;
  }
  const showAll = params.get("rows") === "all";
  const go = (r: DateRange, fv: Record<string, string>, all = showAll) => navigate(key, { start: r.start, end: r.end, ...fv, rows: all ? "all" : undefined });

  const body = h("div", { class: "domain-body" }, loading(`${domain.title.toLowerCase()} metrics`));
  const filterHost = h("div", { class: "filter-host" });
  const renderFilters = (suggestions: Record<string, string[]>) => {
    clear(filterHost);
    const form = filterForm(filters, filterValues, suggestions, (fv) => go(range, fv));
    if (form) filterHost.appendChild(form);
  };
  renderFilters({});

  const page = h(
    "section",
    { class: "page", "aria-labelledby": "page-title", "data-page": key },
    h("header", { class: "page-header" }, h("h1", { id: "page-title", tabindex: -1 }, domain.title), h("p", { class: "lede" }, domain.description)),
    limit ? h("p", { class: "note" }, `Your role sees your own ${domain.title.toLowerCase()} metrics for the last ${limit} days.`) : null,
    h("div", { class: "controls" }, rangePicker({ range, latest, min, onChange: (r) => go(r, filterValues) }), filterHost),
    body,
  );

  const apiParams = { start_date: range.start, end_date: range.end, ...filterValues };
  const load = async () => {
    clear(body);
    body.appendChild(loading(`${domain.title.toLowerCase()} metrics`));
    try {
      const res = await ctx.api.get(key, apiParams);
      const rows = (Array.isArray(res.data) ? res.data : []) as Row[];
      renderFilters(Object.fromEntries(filters.map((f) => [f.param, distinctValues(rows, f.param)])));
      clear(body);
      if (!rows.length) {
        body.appendChild(empty(`No ${domain.title.toLowerCase()} metrics for ${formatRange(range)}${Object.keys(filterValues).length ? " with these filters" : ""}. Try a longer range or clear the filters.`));
        announce(`No ${domain.title} data for the selected range.`);
        return;
      }
      body.append(...renderData(ctx, domain, rows, range, apiParams, showAll, (all) => go(range, filterValues, all)));
      announce(`${domain.title}: ${rows.length} rows loaded for ${formatRange(range)}.`);
    } catch (err) {
      clear(body);
      body.appendChild(errorBox(err, `${domain.title.toLowerCase()} metrics`, load));
      announce(`${domain.title} could not be loaded.`);
    }
  };
  void load();
  return page;
}

function renderData(ctx: ViewContext, domain: Domain, rows: Row[], range: DateRange, apiParams: Record<string, string>, showAllRequested: boolean, setShowAll: (all: boolean) => void): HTMLElement[] {
  let showAll = showAllRequested;
  const days = eachDay(range);
  const sets = domain.dims.length ? headlineSets(rows, domain.dims, domain.groupBy) : rows.map((r) => [r]);
  const headline = sets.map((set) => combineRows(domain, set));
  // Under a filter with no total row (calls by provider), the API's rows are the breakdown.
  const noTotalRow = sets.some((set) => set.length > 1);
  if (noTotalRow) showAll = true;
  const chartGroup = domain.groupBy ? (apiParams[domain.groupBy] ?? busiestGroup(headline, domain.groupBy, "attempts")) : null;
  const chartRows = domain.groupBy ? headline.filter((r) => r[domain.groupBy!] === chartGroup) : headline;
  const chartSets = domain.groupBy ? sets.filter((set) => set[0]![domain.groupBy!] === chartGroup) : sets;
  const charts = h(
    "div",
    { class: "charts" },
    ...domain.charts.map((c) =>
      timeSeriesChart({
        title: chartGroup ? `${c.title} (${chartGroup})` : c.title,
        kind: c.kind,
        days,
        // Durations do not add up: without a total row, draw one line per combination instead.
        series: noTotalRow && c.kind === "duration" ? comboSeries(domain, chartSets.flat(), days, c.series[0]!) : c.series.map((s) => ({ label: s.label, values: seriesByDay(chartRows, days, s.field, s.scale ?? 1) })),
      }),
    ),
  );

  const columns: TableColumn[] = [
    { field: "metric_date", label: "Date", kind: "date" },
    ...domain.columns.map((c) => (domain.dims.includes(c.field) ? { ...c, allLabel: c.field === domain.groupBy ? "" : ALL_LABELS[c.field] ?? "All" } : c)),
  ];
  const reader = columns.find((c) => c.field === "reader_id");
  if (reader) reader.display = (id) => (id === ctx.session.sub ? "You" : `${id.slice(0, 8)}…${id.slice(-4)}`);
  const tableRows = showAll ? rows : headline;
  const totals = rangeTotals(domain, headline).map((t) => ({
    // The range is in the caption; a short label keeps the date column narrow.
    label: t.group ? `Total ${t.group}` : "Total",
    values: t.values,
    currency: t.group,
  }));
  const toggleId = `${domain.key}-show-all`;
  const toggle = noTotalRow
    ? h("p", { class: "note" }, "There is no total row for this filter, so every breakdown row is shown; the totals line adds them up.")
    : domain.dims.length
    ? h(
        "div",
        { class: "toggle" },
        h("input", { type: "checkbox", id: toggleId, checked: showAll, onchange: (ev: Event) => setShowAll((ev.target as HTMLInputElement).checked) }),
        h("label", { for: toggleId }, `Show every breakdown row (${rows.length})`),
      )
    : null;
  const table = dataTable({
    id: `${domain.key}-table`,
    caption: `${domain.title} by day${showAll ? ", every breakdown" : ", totals"} · ${formatRange(range)}`,
    columns,
    rows: tableRows,
    highlightTotals: showAll,
    totals,
    csv: { filename: `${domain.key}_${range.start}_${range.end}.csv`, fetch: () => ctx.api.csv(domain.key, apiParams) },
  });
  return [charts, h("section", { class: "card", "aria-label": `${domain.title} table` }, h("h2", {}, "Daily figures"), toggle, table)];
}

/** One series per dimension combination (e.g. each service under a provider filter). */
function comboSeries(domain: Domain, rows: Row[], days: string[], series: { field: string; label: string }): { label: string; values: (number | null)[] }[] {
  const combos = new Map<string, Row[]>();
  for (const r of rows) {
    const key = domain.dims.filter((d) => d !== domain.groupBy && r[d] !== null).map((d) => String(r[d])).join(" / ");
    combos.set(key, [...(combos.get(key) ?? []), r]);
  }
  return [...combos.entries()].slice(0, 6).map(([key, rs]) => ({ label: `${series.label} · ${key}`, values: seriesByDay(rs, days, series.field) }));
}

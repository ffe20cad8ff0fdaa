// The overview for one day: a tile per KPI with the change against the previous day, one group
// per domain the role may see, and (admins) the ETL status of that day.
import { ApiFailure, type HealthReport, type Row } from "../api.ts";
import type { ViewContext } from "../context.ts";
import { reportingZone } from "../reporting-zone.ts";
import { columnOf, DOMAINS } from "../domains.ts";
import { addDays, formatDay, formatShortDay, isIsoDay, yesterdayIn } from "../format/dates.ts";
import { formatChange } from "../format/numbers.ts";
import { formatValue } from "../format/value.ts";
import { etlStatus, overviewSections, retentionRows, type OverviewSection } from "../overview-model.ts";
import { historyLimitDays, PAGE_TITLES, seesEtlStatus } from "../roles.ts";
import { navigate, routeHref } from "../router.ts";
import { clear, h, uid } from "../ui/dom.ts";
import { genericValue } from "../ui/generic.ts";
import { announce, empty, errorBox, loading } from "../ui/status.ts";

export function overviewView(ctx: ViewContext, params: URLSearchParams): HTMLElement {
  const latest = yesterdayIn(reportingZone());
  const limit = historyLimitDays(ctx.session.role);
  const min = limit ? addDays(latest, -(limit - 1)) : null;
  const requested = params.get("date");
  let date = requested && isIsoDay(requested) && requested <= latest ? requested : latest;
  if (min && date < min) date = min;
  const previous = addDays(date, -1);

  const dateId = uid("overview-date");
  const input = h("input", { id: dateId, type: "date", value: date, max: latest, min: min ?? undefined, required: true });
  const form = h(
    "form",
    { class: "date-form", "aria-label": "Overview date" },
    h("div", { class: "field" }, h("label", { for: dateId }, `Day (${reportingZone()})`), input),
    h("button", { type: "submit", class: "button" }, "Show"),
    !min || previous >= min ? h("a", { class: "button button-secondary", href: routeHref("overview", { date: previous }) }, "‹ Previous day") : null,
    date < latest ? h("a", { class: "button button-secondary", href: routeHref("overview", { date: addDays(date, 1) }) }, "Next day ›") : null,
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    if (isIsoDay(input.value)) navigate("overview", { date: input.value });
  });

  const body = h("div", { class: "overview-body" }, loading("the overview"));
  const page = h(
    "section",
    { class: "page", "aria-labelledby": "page-title", "data-page": "overview" },
    h("header", { class: "page-header" }, h("h1", { id: "page-title", tabindex: -1 }, `Overview · ${formatDay(date)}`), h("p", { class: "lede" }, `Key figures for ${formatDay(date)} (local day in ${reportingZone()}), compared with ${formatDay(previous)}.`)),
    limit ? h("p", { class: "note" }, `Your role sees your own fulfillment metrics for the last ${limit} days.`) : null,
    h("div", { class: "controls" }, form),
    body,
  );

  const load = async () => {
    clear(body);
    body.appendChild(loading("the overview"));
    try {
      const [current, prior] = await Promise.all([ctx.api.get("overview", { date }), ctx.api.get("overview", { date: previous }).catch(() => null)]);
      clear(body);
      const sections = overviewSections(current.data);
      const priorSections = prior ? overviewSections(prior.data) : [];
      if (!sections.length) body.appendChild(empty("There are no KPI sections for your role."));
      for (const s of sections) body.appendChild(sectionBlock(s, priorSections.find((p) => p.domain === s.domain), date, previous));
      const retention = retentionRows(current.data);
      if (retention) body.appendChild(retentionBlock(retention, prior ? retentionRows(prior.data) ?? [] : [], date, previous));
      if (seesEtlStatus(ctx.session.role)) {
        body.appendChild(etlBlock(etlStatus(current.data), date));
        void healthBlock(ctx).then((block) => block && body.appendChild(block));
      }
      announce(`Overview for ${formatDay(date)} loaded.`);
    } catch (err) {
      clear(body);
      body.appendChild(errorBox(err, "the overview", load));
      announce("The overview could not be loaded.");
    }
  };
  void load();
  return page;
}

function sectionBlock(section: OverviewSection, prior: OverviewSection | undefined, date: string, previous: string): HTMLElement {
  const domain = DOMAINS[section.domain];
  const headingId = `overview-${domain.key}`;
  const link = h("a", { class: "section-link", href: routeHref(domain.key, { start: addDays(date, -29), end: date }) }, `Open ${PAGE_TITLES[domain.key]} →`);
  const block = h("section", { class: "card overview-section", "aria-labelledby": headingId, "data-section": domain.key }, h("div", { class: "section-head" }, h("h2", { id: headingId }, domain.title), link));
  if (!section.rows.length) {
    block.appendChild(empty(`No ${domain.title.toLowerCase()} metrics for ${formatDay(date)}.`));
    return block;
  }
  const groups = domain.groupBy ? section.rows : [section.rows[0]!];
  for (const row of groups) {
    const group = domain.groupBy ? (row[domain.groupBy] as string) : null;
    const before = prior?.rows.find((r) => !domain.groupBy || r[domain.groupBy] === group);
    if (group) block.appendChild(h("h3", { class: "group-title" }, group));
    block.appendChild(h("ul", { class: "tiles", role: "list" }, ...domain.tiles.map((field) => tile(domain.key, field, row, before, previous))));
  }
  return block;
}

function tile(domainKey: keyof typeof DOMAINS, field: string, row: Row, before: Row | undefined, previous: string): HTMLElement {
  const col = columnOf(DOMAINS[domainKey], field)!;
  const currency = (row.currency as string | null | undefined) ?? null;
  const value = row[field];
  const prev = before?.[field];
  const change = formatChange(typeof value === "number" ? value : null, typeof prev === "number" ? prev : null, col.kind === "rate" || col.kind === "percent" ? (col.kind === "percent" ? "relative" : "rate") : "relative");
  const arrow = change.direction === "up" ? "▲" : change.direction === "down" ? "▼" : change.direction === "flat" ? "■" : "";
  const prevLabel = formatShortDay(previous);
  const changeText = change.direction === "none" ? `No figure for ${prevLabel}` : `${change.text} vs ${prevLabel}`;
  // Green when the change is good news for this KPI, red when bad; the arrow gives the direction.
  const lowerBetter = DOMAINS[domainKey].lowerIsBetter?.includes(field) ?? false;
  const tone = change.direction === "up" || change.direction === "down" ? ((change.direction === "down") === lowerBetter ? "good" : "bad") : "neutral";
  return h(
    "li",
    { class: "tile", "data-domain": domainKey, "data-field": field, "data-currency": currency ?? undefined },
    h("span", { class: "tile-label" }, col.label),
    h("span", { class: "tile-value", "data-value": value === null || value === undefined ? "null" : String(value) }, formatValue(col.kind, value, currency)),
    h("span", { class: `tile-change tone-${tone}`, "data-direction": change.direction }, arrow ? h("span", { "aria-hidden": "true" }, `${arrow} `) : null, changeText),
  );
}

/** Day-N retention measured on the day: the cohort of D − N, one tile per N. */
function retentionBlock(rows: Row[], prior: Row[], date: string, previous: string): HTMLElement {
  const block = h(
    "section",
    { class: "card overview-section", "aria-labelledby": "overview-retention", "data-section": "cohort_retention" },
    h("div", { class: "section-head" }, h("h2", { id: "overview-retention" }, "Retention"), h("a", { class: "section-link", href: routeHref("retention") }, "Open Retention →")),
  );
  if (!rows.length) {
    block.appendChild(empty(`No cohort retention measured on ${formatDay(date)}.`));
    return block;
  }
  block.appendChild(
    h(
      "ul",
      { class: "tiles", role: "list" },
      ...rows.map((row) => {
        const n = Number(row.retention_day);
        const before = prior.find((p) => Number(p.retention_day) === n);
        const rate = typeof row.retention_rate === "number" ? row.retention_rate : null;
        const change = formatChange(rate, typeof before?.retention_rate === "number" ? before.retention_rate : null, "rate");
        const tone = change.direction === "up" ? "good" : change.direction === "down" ? "bad" : "neutral";
        const arrow = change.direction === "up" ? "▲ " : change.direction === "down" ? "▼ " : change.direction === "flat" ? "■ " : "";
        return h(
          "li",
          { class: "tile", "data-domain": "cohort_retention", "data-field": `day_${n}` },
          h("span", { class: "tile-label" }, `Day-${n} retention`),
          h("span", { class: "tile-value", "data-value": rate === null ? "null" : String(rate) }, formatValue("rate", rate)),
          h("span", { class: "tile-note" }, `${formatShortDay(String(row.cohort_date))} cohort: ${formatValue("count", row.retained_users)} of ${formatValue("count", row.cohort_size)}`),
          h("span", { class: `tile-change tone-${tone}`, "data-direction": change.direction }, arrow ? h("span", { "aria-hidden": "true" }, arrow) : null, change.direction === "none" ? `No figure for ${formatShortDay(previous)}` : `${change.text} vs ${formatShortDay(previous)}`),
        );
      }),
    ),
  );
  return block;
}

/**
 * The pipeline health check (the `health` function: 200 healthy, 503 with reasons), for admins.
 * A 404 means the deployment has no health function: nothing is shown.
 */
async function healthBlock(ctx: ViewContext): Promise<HTMLElement | null> {
  let report: HealthReport;
  try {
    report = await ctx.api.health();
  } catch (err) {
    if (err instanceof ApiFailure && err.status === 404) return null;
    if (!(err instanceof ApiFailure && err.status === 503 && isReport(err.body)))
      return h("section", { class: "card overview-section", "data-section": "health" }, h("h2", {}, "Pipeline health"), errorBox(err, "the health check"));
    report = err.body;
  }
  const reasons = report.reasons ?? [];
  return h(
    "section",
    { class: "card overview-section", "aria-labelledby": "overview-health", "data-section": "health" },
    h(
      "div",
      { class: "section-head" },
      h("h2", { id: "overview-health" }, "Pipeline health"),
      h("span", { class: `health-badge ${report.healthy ? "health-ok" : "health-bad"}`, "data-healthy": String(report.healthy) }, report.healthy ? "Healthy" : "Needs attention"),
    ),
    reasons.length ? h("ul", { class: "health-reasons" }, ...reasons.map((r) => h("li", {}, r))) : null,
    report.checks ? h("details", {}, h("summary", {}, "Checks"), genericValue(report.checks, "Health checks")) : null,
    report.checked_at ? h("p", { class: "tile-note" }, `Checked ${String(report.checked_at).slice(0, 19).replace("T", " ")} UTC`) : null,
  );
}

const isReport = (v: unknown): v is HealthReport => typeof v === "object" && v !== null && typeof (v as HealthReport).healthy === "boolean";

function etlBlock(status: unknown, date: string): HTMLElement {
  const block = h("section", { class: "card overview-section", "aria-labelledby": "overview-etl", "data-section": "etl" }, h("div", { class: "section-head" }, h("h2", { id: "overview-etl" }, "ETL status")));
  if (status === undefined || status === null || (Array.isArray(status) && !status.length)) block.appendChild(empty(`No ETL runs recorded for ${formatDay(date)}.`));
  else block.appendChild(genericValue(status, "ETL status"));
  return block;
}

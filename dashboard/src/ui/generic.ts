// Renders a JSON value of unknown shape readably: lists of objects as tables, objects as
// term/description lists. Used for the ETL status, whose fields are the API's to extend.
import { formatValue } from "../format/value.ts";
import { h } from "./dom.ts";

const label = (key: string) => key.replace(/_/g, " ").replace(/^./, (c) => c.toUpperCase());

function scalar(key: string, v: unknown): string {
  if (v === null || v === undefined) return "—";
  if (typeof v === "number") return /_s$|seconds/.test(key) ? formatValue("duration", v) : /rate$/.test(key) ? formatValue("rate", v) : formatValue("count", v);
  if (typeof v === "string" && /^\d{4}-\d{2}-\d{2}T/.test(v)) return `${v.slice(0, 10)} ${v.slice(11, 19)} UTC`;
  if (typeof v === "boolean") return v ? "yes" : "no";
  return String(v);
}

/** A status word (succeeded, failed, running, skipped) reads as a coloured pill. */
function cellContent(key: string, v: unknown): Node | string {
  if (typeof v === "object" && v !== null) return JSON.stringify(v);
  if (key === "status" && typeof v === "string") return h("span", { class: `status-pill status-${v.replace(/[^a-z_-]/gi, "")}` }, v);
  return scalar(key, v);
}

export function genericValue(value: unknown, caption: string): HTMLElement {
  if (Array.isArray(value)) {
    const rows = value.filter((r): r is Record<string, unknown> => typeof r === "object" && r !== null);
    if (!rows.length) return h("p", {}, value.map((v) => scalar("", v)).join(", ") || "None");
    const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))];
    return h(
      "div",
      { class: "table-scroll", tabindex: 0, role: "region", "aria-label": `${caption} (scrollable)` },
      h(
        "table",
        {},
        h("caption", {}, caption),
        h("thead", {}, h("tr", {}, ...keys.map((k) => h("th", { scope: "col" }, label(k))))),
        h("tbody", {}, ...rows.map((r) => h("tr", { class: r.status === "failed" ? "row-failed" : undefined }, ...keys.map((k) => h("td", { "data-field": k }, cellContent(k, r[k])))))),
      ),
    );
  }
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>);
    const scalars = entries.filter(([, v]) => typeof v !== "object" || v === null);
    const nested = entries.filter(([, v]) => typeof v === "object" && v !== null);
    return h(
      "div",
      { class: "generic" },
      scalars.length ? h("dl", { class: "kv" }, ...scalars.flatMap(([k, v]) => [h("dt", {}, label(k)), h("dd", { "data-field": k }, scalar(k, v))])) : null,
      ...nested.map(([k, v]) => h("div", { class: "generic-nested" }, h("h3", {}, label(k)), genericValue(v, label(k)))),
    );
  }
  return h("p", {}, scalar("", value));
}

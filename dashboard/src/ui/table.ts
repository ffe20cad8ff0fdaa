// Data tables: a caption, sticky header, a totals footer, horizontal scroll on narrow screens
// (the scroll area is focusable so keyboard users can scroll it), and a CSV download button.
import type { Column } from "../domains.ts";
import type { Row } from "../api.ts";
import { formatDimension, formatValue } from "../format/value.ts";
import { h } from "./dom.ts";
import { announce } from "./status.ts";

export type TableColumn = Column & {
  allLabel?: string;
  /** Shorter text for long values (ids); the full value stays in the cell's title. */
  display?: (value: string) => string;
};

export type TableSpec = {
  id: string;
  caption: string;
  columns: TableColumn[];
  rows: Row[];
  /** Bold the total rows (those with an "all values" dimension) among detail rows. */
  highlightTotals?: boolean;
  /** Footer rows: a label and values by field. */
  totals?: { label: string; values: Record<string, unknown>; currency?: string | null }[];
  csv?: { filename: string; fetch: () => Promise<string> };
};

function cell(col: TableColumn, row: Row | Record<string, unknown>, currency?: string | null): string {
  const v = row[col.field];
  if (col.display && typeof v === "string") return col.display(v);
  if (col.allLabel !== undefined) return formatDimension(v, col.allLabel);
  return formatValue(col.kind, v, currency ?? (row.currency as string | null | undefined));
}

const numeric = (col: TableColumn) => col.kind !== "text" && col.kind !== "date";

export function dataTable(spec: TableSpec): HTMLElement {
  const head = h("tr", {}, ...spec.columns.map((c) => h("th", { scope: "col", class: numeric(c) ? "num" : undefined }, c.label)));
  const body = h(
    "tbody",
    {},
    ...spec.rows.map((row) => {
      const isTotal = !!spec.highlightTotals && spec.columns.some((c) => c.allLabel !== undefined && c.allLabel !== "" && (row[c.field] === null || row[c.field] === undefined));
      return h(
        "tr",
        { class: isTotal ? "total-row" : undefined },
        ...spec.columns.map((c, i) =>
          i === 0
            ? h("th", { scope: "row" }, cell(c, row))
            : h("td", { class: numeric(c) ? "num" : undefined, "data-field": c.field, title: c.display && typeof row[c.field] === "string" ? String(row[c.field]) : undefined }, cell(c, row)),
        ),
      );
    }),
  );
  const foot = spec.totals?.length
    ? h(
        "tfoot",
        {},
        ...spec.totals.map((t) =>
          h(
            "tr",
            {},
            h("th", { scope: "row" }, t.label),
            ...spec.columns.slice(1).map((c) => h("td", { class: numeric(c) ? "num" : undefined }, c.allLabel !== undefined ? "" : cell(c, t.values, t.currency))),
          ),
        ),
      )
    : null;
  const table = h("table", { id: spec.id }, h("caption", {}, spec.caption), h("thead", {}, head), body, foot);
  return h(
    "div",
    { class: "table-block" },
    spec.csv ? csvButton(spec.csv, spec.caption) : null,
    h("div", { class: "table-scroll", tabindex: 0, role: "region", "aria-label": `${spec.caption} (scrollable)` }, table),
  );
}

export function csvButton(csv: NonNullable<TableSpec["csv"]>, what: string): HTMLElement {
  const status = h("span", { class: "csv-status", "aria-live": "polite" });
  const button = h("button", { type: "button", class: "button button-secondary csv-download" }, "Download CSV") as HTMLButtonElement;
  button.setAttribute("aria-label", `Download ${what} as CSV`);
  button.addEventListener("click", async () => {
    button.disabled = true;
    status.textContent = "Preparing CSV…";
    try {
      const text = await csv.fetch();
      const url = URL.createObjectURL(new Blob([text], { type: "text/csv;charset=utf-8" }));
      const a = h("a", { href: url, download: csv.filename });
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      status.textContent = `Downloaded ${csv.filename}`;
      announce(`Downloaded ${csv.filename}`);
    } catch (err) {
      status.textContent = `CSV download failed: ${err instanceof Error ? err.message : String(err)}`;
      status.classList.add("error-text");
    } finally {
      button.disabled = false;
    }
  });
  return h("div", { class: "table-actions" }, button, status);
}

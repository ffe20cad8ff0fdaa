// Reads the overview endpoint's object (docs/design.md §7: "a section per domain the caller may see,
// plus ETL status for admins") into tiles. Sections may arrive as one row or as a list of rows
// (with total rows); either way the headline row(s) are used, per currency for payments.
import { DOMAINS, type DomainKey } from "./domains.ts";
import type { Row } from "./api.ts";
import { headlineRows } from "./rows.ts";

export type OverviewSection = { domain: DomainKey; rows: Row[] };

const DOMAIN_KEYS = Object.keys(DOMAINS) as DomainKey[];

const isRow = (v: unknown): v is Row => typeof v === "object" && v !== null && !Array.isArray(v);

/** The rows of one section: a list of rows, one row, or `{ rows | data | totals: [...] }`. */
function sectionRows(value: unknown): Row[] | null {
  if (Array.isArray(value)) return value.filter(isRow);
  if (!isRow(value)) return null;
  for (const key of ["rows", "data", "totals", "total"]) {
    const inner = value[key];
    if (Array.isArray(inner)) return inner.filter(isRow);
    if (isRow(inner)) return [inner];
  }
  return [value];
}

/** The object the sections hang off: `data` itself or `data.sections`. */
function sectionsObject(data: unknown): Row {
  if (!isRow(data)) return {};
  return isRow(data.sections) ? data.sections : data;
}

export function overviewSections(data: unknown): OverviewSection[] {
  const obj = sectionsObject(data);
  const out: OverviewSection[] = [];
  for (const key of DOMAIN_KEYS) {
    if (!(key in obj)) continue;
    const rows = sectionRows(obj[key]) ?? [];
    const domain = DOMAINS[key];
    out.push({ domain: key, rows: domain.dims.length ? headlineRows(rows, domain) : rows.slice(0, 1) });
  }
  return out;
}

/** The ETL status part of the overview (admins only), whatever its key: etl, etl_status, ... */
export function etlStatus(data: unknown): unknown {
  const obj = isRow(data) ? data : {};
  const key = Object.keys(obj).find((k) => /^etl/i.test(k)) ?? Object.keys(sectionsObject(data)).find((k) => /^etl/i.test(k));
  if (!key) return undefined;
  return key in obj ? obj[key] : sectionsObject(data)[key];
}

/** The overview's retention rows (admins): day-N retention measured on the day, by retention_day. */
export function retentionRows(data: unknown): Row[] | undefined {
  const obj = sectionsObject(data);
  const value = obj.cohort_retention ?? obj["cohort-retention"];
  return value === undefined ? undefined : (sectionRows(value) ?? []).sort((a, b) => Number(a.retention_day) - Number(b.retention_day));
}

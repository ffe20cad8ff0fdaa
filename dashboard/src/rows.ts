// Pure helpers over the API's rows: pick the headline (most aggregated) row per day, add up a
// range, and line rows up by day for charts. A null dimension in a row means "all values".
import type { Column, Domain } from "./domains.ts";
import type { Row } from "./api.ts";

const nonNullDims = (row: Row, dims: string[]) => dims.filter((d) => row[d] !== null && row[d] !== undefined).length;

/**
 * For each (day, group) the rows with the fewest set dimensions: the grand total when the caller
 * may see it, else the most aggregated rows it has (a reader's own total, or — under a filter with
 * no total row, such as calls by provider — one row per remaining combination).
 */
export function headlineSets(rows: Row[], dims: string[], groupBy?: string, dateField = "metric_date"): Row[][] {
  const splitDims = dims.filter((d) => d !== groupBy);
  const best = new Map<string, Row[]>();
  for (const row of rows) {
    const key = `${String(row[dateField])}|${groupBy ? String(row[groupBy]) : ""}`;
    const current = best.get(key);
    const level = nonNullDims(row, splitDims);
    if (!current || level < nonNullDims(current[0]!, splitDims)) best.set(key, [row]);
    else if (level === nonNullDims(current[0]!, splitDims)) current.push(row);
  }
  return [...best.values()];
}

/**
 * One row standing for several rows of the same day: counts and money added up, rates recomputed
 * from the sums where the domain defines them, dimensions kept where all rows agree (else null =
 * "all"), and anything not additive (averages, p95) null.
 */
export function combineRows(domain: Domain, rows: Row[], dateField = "metric_date"): Row {
  if (rows.length === 1) return rows[0]!;
  const out: Row = { [dateField]: rows[0]![dateField] };
  for (const d of domain.dims) out[d] = rows.every((r) => r[d] === rows[0]![d]) ? rows[0]![d] : null;
  for (const col of domain.columns) if (!domain.dims.includes(col.field)) out[col.field] = totalOf(col, rows);
  return out;
}

/** The headline row per (day, group): see headlineSets and combineRows. */
export function headlineRows(rows: Row[], domain: Domain): Row[] {
  return headlineSets(rows, domain.dims, domain.groupBy).map((set) => combineRows(domain, set));
}

const num = (r: Row, field: string) => (typeof r[field] === "number" ? (r[field] as number) : 0);

/**
 * A column's total over rows, only where it is exact: sums of counts and money, rates from the
 * summed counts, event means weighted by their event counts; null otherwise (p95s, DAU/WAU/MAU).
 */
function totalOf(col: Column, rows: Row[]): number | null {
  const sum = (field: string) => rows.reduce((acc, r) => acc + num(r, field), 0);
  if (col.sum) return sum(col.field);
  if (col.ratio) {
    const den = col.ratio.den.reduce((acc, f) => acc + sum(f), 0);
    return den === 0 ? null : sum(col.ratio.num) / den;
  }
  if (col.weightedBy) {
    let weight = 0;
    let total = 0;
    for (const r of rows) {
      if (typeof r[col.field] !== "number") continue;
      const w = col.weightedBy.reduce((acc, f) => acc + num(r, f), 0);
      weight += w;
      total += w * (r[col.field] as number);
    }
    return weight === 0 ? null : total / weight;
  }
  return null;
}

export type TotalsRow = { group: string | null; values: Record<string, number | null> };

/** Range totals over headline rows, one per group (currency): sums, and ratios from sums. */
export function rangeTotals(domain: Domain, headline: Row[]): TotalsRow[] {
  const groups = new Map<string | null, Row[]>();
  for (const row of headline) {
    const g = domain.groupBy ? (row[domain.groupBy] as string | null) : null;
    groups.set(g, [...(groups.get(g) ?? []), row]);
  }
  const out: TotalsRow[] = [];
  for (const [group, rows] of groups) {
    const values: Record<string, number | null> = {};
    for (const col of domain.columns) values[col.field] = totalOf(col, rows);
    out.push({ group, values });
  }
  return out.sort((a, b) => String(a.group).localeCompare(String(b.group)));
}

/** Values of `field` for each day in `days` (null where no row), times `scale`. */
export function seriesByDay(rows: Row[], days: string[], field: string, scale = 1, dateField = "metric_date"): (number | null)[] {
  const byDay = new Map(rows.map((r) => [String(r[dateField]), r[field]]));
  return days.map((d) => {
    const v = byDay.get(d);
    return typeof v === "number" ? v * scale : null;
  });
}

/** Distinct non-null values of a field, sorted, for filter suggestions. */
export function distinctValues(rows: Row[], field: string): string[] {
  return [...new Set(rows.map((r) => r[field]).filter((v): v is string => typeof v === "string"))].sort();
}

/** The group (currency) with the most activity, to chart when no group filter is set. */
export function busiestGroup(rows: Row[], groupBy: string, weightField: string): string | null {
  const weights = new Map<string, number>();
  for (const r of rows) {
    const g = r[groupBy];
    if (typeof g === "string") weights.set(g, (weights.get(g) ?? 0) + (typeof r[weightField] === "number" ? (r[weightField] as number) : 0));
  }
  let best: string | null = null;
  for (const [g, w] of weights) if (best === null || w > (weights.get(best) ?? 0)) best = g;
  return best;
}

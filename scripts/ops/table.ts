// Prints rows as an aligned text table (the ops CLI's one output format for lists).
export function printRows(title: string, rows: Record<string, unknown>[]) {
  console.log(`\n${title}`);
  if (rows.length === 0) {
    console.log("  (none)");
    return;
  }
  const cols = Object.keys(rows[0]);
  const cell = (v: unknown) => (v === null || v === undefined ? "—" : v instanceof Date ? v.toISOString().replace(".000Z", "Z") : String(v));
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  console.log("  " + cols.map((c, i) => c.padEnd(widths[i])).join("  "));
  for (const r of rows) console.log("  " + cols.map((c, i) => cell(r[c]).padEnd(widths[i])).join("  "));
}

// RFC 4180 CSV: CRLF line ends, a header line, fields quoted when they hold a comma, quote or
// line break (quotes doubled). null/undefined become empty fields. A text cell that a spreadsheet
// would read as a formula (it begins with =, +, -, @, tab or CR) gets a leading apostrophe
// (OWASP's CSV injection advice); numbers are written as numbers, so -123 stays -123.
export type CsvValue = string | number | boolean | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;

function field(value: CsvValue): string {
  if (value === null || value === undefined) return "";
  let text = String(value);
  if (typeof value === "string" && FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsv(columns: readonly string[], rows: readonly Record<string, CsvValue>[]): string {
  const lines = [columns.map(field).join(",")];
  for (const row of rows) lines.push(columns.map((c) => field(row[c])).join(","));
  return lines.join("\r\n") + "\r\n";
}

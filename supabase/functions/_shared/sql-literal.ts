// Postgres string literals, for the few fixed statements every request runs (the caller's role and
// claims, the quota, the erased-user check). Without prepared statements (db.ts) postgres.js sends
// a statement that has parameters in two round trips (describe, then execute); with its values
// written as literals it takes one. Never for values that shape a query: metrics filters stay
// parameters.

/** `s` as a literal that reads back as `s` whatever standard_conforming_strings is (libpq's
 * PQescapeLiteral): quotes doubled, and backslashes doubled inside an E'' literal. */
export function sqlLiteral(s: string): string {
  if (s.includes("\0")) throw new TypeError("a Postgres text value cannot contain NUL");
  const quoted = s.replaceAll("'", "''");
  return s.includes("\\") ? `E'${quoted.replaceAll("\\", "\\\\")}'` : `'${quoted}'`;
}

/** A text[] literal of values made of [0-9a-z-] only (uuids, hex), or a TypeError. */
export function sqlTextArray(values: Iterable<string>): string {
  const items = [...values];
  for (const v of items) if (!/^[0-9a-z-]+$/.test(v)) throw new TypeError("sqlTextArray takes uuids and hex strings only");
  return `'{${items.join(",")}}'`;
}

// Row-set comparison for the KPI tests: same keys, every field equal (counts exact, floats within 1e-9).
import { expect } from "vitest";

type Row = Record<string, unknown>;

const keyOf = (row: Row, keys: string[]) => keys.map((k) => String(row[k])).join("|");

export function expectSameRows(actual: Row[], expected: Row[], keys: string[], label: string) {
  const byKey = new Map(actual.map((r) => [keyOf(r, keys), r]));
  expect([...byKey.keys()].sort(), `${label}: row keys`).toEqual(expected.map((r) => keyOf(r, keys)).sort());
  for (const exp of expected) {
    const act = byKey.get(keyOf(exp, keys))!;
    for (const [field, want] of Object.entries(exp)) {
      const got = act[field];
      const where = `${label} ${keyOf(exp, keys)} .${field}`;
      if (typeof want === "number" && !Number.isInteger(want)) {
        expect(typeof got, where).toBe("number");
        expect(Math.abs((got as number) - want), `${where}: ${got} vs ${want}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(want)));
      } else {
        expect(got, where).toEqual(want);
      }
    }
  }
}

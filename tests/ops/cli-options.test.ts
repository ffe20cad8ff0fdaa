// The operator CLI refuses what it does not understand instead of ignoring it (node:util parseArgs,
// strict): an unknown option or a missing value is a usage error, exit code 2, before any work.
import { describe, expect, it } from "vitest";
import { ops } from "../helpers/ops.ts";

describe("ops options", () => {
  it.each([
    [["status", "--bogus"], /Unknown option '--bogus'/],
    [["etl", "--date"], /'--date <value>' argument missing/],
    [["partitions", "--ensure", "--months"], /'--months <value>' argument missing/],
  ])("%j exits 2 and names the problem", (args, message) => {
    const r = ops(...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/usage: npm run ops/);
  });

  it("accepts --name=value as well as --name value", () => {
    const r = ops("etl", "--date=2026-02-30");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--date 2026-02-30 is not a real date/);
  });
});

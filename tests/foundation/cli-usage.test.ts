// The bench and generator CLIs answer bad options with one line naming the problem and exit code 2
// (lib/cli.ts runCli), before any work and without a stack trace.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

function run(script: string, ...args: string[]) {
  const r = spawnSync("npx", ["--no-install", "tsx", script, ...args], { encoding: "utf8", timeout: 60_000 });
  return { code: r.status ?? -1, stderr: r.stderr };
}

describe("CLI usage errors", () => {
  it.each([
    ["bench/run.ts", ["--events", "0"], /^bench: --events must be a positive integer$/m],
    ["bench/run.ts", ["--bogus"], /^bench: Unknown option '--bogus'/m],
    ["scripts/generate.ts", ["--days", "0"], /^generate: --days must be a positive integer$/m],
    ["scripts/generate.ts", ["--seed"], /^generate: Option '--seed <value>' argument missing/m],
  ])("%s %j exits 2 and names the problem", (script, args, message) => {
    const r = run(script, ...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });
});

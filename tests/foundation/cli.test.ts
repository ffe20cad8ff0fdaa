// The bench and generator CLIs (lib/cli.ts runCli): bad options get one line naming the problem and
// exit code 2, before any work and without a stack trace; a finished run exits 0 with its output
// whole (the process exits as soon as the work resolves, so a file must be flushed by then).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

function run(script: string, ...args: string[]) {
  const r = spawnSync("npx", ["--no-install", "tsx", script, ...args], { encoding: "utf8", timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
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

describe("CLI runs", () => {
  it("generate --out exits 0 with every event it reports in the file", () => {
    const out = join(mkdtempSync(join(tmpdir(), "generate-")), "events.jsonl");
    const r = run("scripts/generate.ts", "--days", "3", "--events-per-day", "20000", "--out", out);
    expect(r.code).toBe(0);
    const reported = Number(/^(\d+) events written to/m.exec(r.stdout)?.[1]);
    expect(reported).toBeGreaterThan(50_000);
    const lines = readFileSync(out, "utf8").split("\n");
    expect(lines.pop()).toBe(""); // ends with a newline: the last line is whole
    expect(lines).toHaveLength(reported);
    expect(() => lines.forEach((l) => JSON.parse(l))).not.toThrow();
  });
});

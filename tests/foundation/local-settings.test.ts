// stack/local.env is read twice, by stack/env.sh for the shell scripts and by
// stack/local-settings.ts for the TypeScript tooling and tests: both must arrive at the same values,
// with the same precedence (environment, then .stack.env, then the file), and the tooling must use
// them when nothing else is given.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const NAMES = ["STACK_DB_URL", "STACK_SUPABASE_URL", "STACK_FUNCTIONS_URL", "STACK_DASHBOARD_URL", "STACK_JWT_SECRET", "STACK_SECRET_KEY"];
const EXPORTS = ["LOCAL_DB_URL", "LOCAL_SUPABASE_URL", "LOCAL_FUNCTIONS_URL", "LOCAL_DASHBOARD_URL", "LOCAL_JWT_SECRET", "LOCAL_SECRET_KEY"];

/** Only what the programs need to run: no STACK_* from the test's own environment. */
const cleanEnv = (extra: Record<string, string> = {}) => ({ PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...extra });

function fromShell(env: Record<string, string>): string[] {
  const script = `source stack/env.sh; printf '%s\\n' ${NAMES.map((n) => `"$${n}"`).join(" ")}`;
  const r = spawnSync("bash", ["-c", script], { cwd: ROOT, env: cleanEnv(env), encoding: "utf8" });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.trimEnd().split("\n");
}

function fromTypeScript(env: Record<string, string>): string[] {
  const code = `import("./stack/local-settings.ts").then((s) => console.log([${EXPORTS.map((n) => `s.${n}`).join(", ")}].join("\\n")))`;
  const r = spawnSync("npx", ["--no-install", "tsx", "--eval", code], { cwd: ROOT, env: cleanEnv(env), encoding: "utf8" });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.trimEnd().split("\n");
}

describe("local settings", () => {
  it("are the same for the shell scripts and the TypeScript tooling", () => {
    const shell = fromShell({});
    expect(fromTypeScript({})).toEqual(shell);
    expect(shell[0]).toMatch(/^postgresql:\/\/postgres:[^@]+@127\.0\.0\.1:\d+\/postgres$/);
    expect(shell[2]).toBe(`${shell[1]}/functions/v1`);
  });

  it("let the environment override a setting, and what is derived from it follows", () => {
    const env = { STACK_DB_PORT: "6543", STACK_FUNCTIONS_PORT: "6544" };
    const shell = fromShell(env);
    expect(fromTypeScript(env)).toEqual(shell);
    expect(shell[0]).toMatch(/@127\.0\.0\.1:6543\/postgres$/);
    expect(shell[2]).toBe("http://127.0.0.1:6544/functions/v1");
  });
});

describe("the ops CLI", () => {
  it("reaches this checkout's stack with no SUPABASE_DB_URL and no STACK_* in its environment", () => {
    const r = spawnSync("npx", ["--no-install", "tsx", "scripts/ops.ts", "status"], { cwd: ROOT, env: cleanEnv(), encoding: "utf8", timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Last run per ETL job/);
  });
});

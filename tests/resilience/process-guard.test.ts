// The process guard every function installs (serveHandler → guardProcess): an exception thrown from
// a timer or a promise nobody awaits is logged (without its data) and the isolate goes on serving,
// in Deno as the functions run. Without it Deno ends the process.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const DENO = new URL("../../node_modules/.bin/deno", import.meta.url).pathname;
const GUARD = new URL("../../supabase/functions/_shared/process-guard.ts", import.meta.url).href;

async function runInDeno(script: string) {
  const dir = mkdtempSync(join(tmpdir(), "process-guard-"));
  const file = join(dir, "main.ts");
  writeFileSync(file, script);
  try {
    const { stdout, stderr } = await promisify(execFile)(DENO, ["run", "--no-lock", "--quiet", file], { timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const FAILURES = `
  // A driver-style database error thrown from a timer (its detail quotes a row) and a connection
  // error nobody awaits.
  setTimeout(() => {
    throw Object.assign(new Error("duplicate key: secret-value"), { code: "23505", severity: "ERROR", detail: "Failing row contains (secret-value)" });
  }, 0);
  Promise.reject(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }));
  setTimeout(() => console.log("still serving"), 200);
`;

describe("process guard (Deno)", () => {
  it("logs an uncaught exception and an unhandled rejection without their data, and the process goes on", async () => {
    const { code, stdout, stderr } = await runInDeno(`import { guardProcess } from "${GUARD}";\nguardProcess();\n${FAILURES}`);
    expect(code).toBe(0);
    expect(stdout).toContain("still serving");
    expect(stderr).toContain("uncaught exception (process kept alive): database error: SQLSTATE 23505");
    expect(stderr).toContain("unhandled rejection (process kept alive): database connection error: ECONNREFUSED");
    expect(stderr).not.toContain("secret-value");
  });

  it("is what keeps it alive (without it, Deno ends the process)", async () => {
    const { code, stdout } = await runInDeno(FAILURES);
    expect(code).not.toBe(0);
    expect(stdout).not.toContain("still serving");
  });
});

// Runs the operator CLI (`npm run ops -- ...`) as a child process against the test stack.
import { spawn, spawnSync } from "node:child_process";
import { LOCAL_DB_URL } from "../../stack/local-settings.ts";

export type OpsResult = { code: number; stdout: string; stderr: string };

// The test stack's database, whatever SUPABASE_DB_URL the shell may hold for a hosted project.
const opsEnv = () => ({ ...process.env, SUPABASE_DB_URL: LOCAL_DB_URL });
const OPS_ARGS = ["--no-install", "tsx", "scripts/ops.ts"];

export function ops(...args: string[]): OpsResult {
  const r = spawnSync("npx", [...OPS_ARGS, ...args], { encoding: "utf8", env: opsEnv(), timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Like ops(), without blocking this process: for tests that serve HTTP the CLI calls. */
export function opsAsync(...args: string[]): Promise<OpsResult> {
  return new Promise((resolve, reject) => {
    const child = spawn("npx", [...OPS_ARGS, ...args], { env: opsEnv(), timeout: 120_000 });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString("utf8")));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

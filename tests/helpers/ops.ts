// Runs the operator CLI (`npm run ops -- ...`) as a child process against the test stack.
import { spawnSync } from "node:child_process";
import { LOCAL_DB_URL } from "../../stack/local-settings.ts";

export type OpsResult = { code: number; stdout: string; stderr: string };

export function ops(...args: string[]): OpsResult {
  // The test stack's database, whatever SUPABASE_DB_URL the shell may hold for a hosted project.
  const env = { ...process.env, SUPABASE_DB_URL: LOCAL_DB_URL };
  const r = spawnSync("npx", ["--no-install", "tsx", "scripts/ops.ts", ...args], { encoding: "utf8", env, timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

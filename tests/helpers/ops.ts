// Runs the operator CLI (`npm run ops -- ...`) as a child process against the test stack.
import { spawnSync } from "node:child_process";

export type OpsResult = { code: number; stdout: string; stderr: string };

export function ops(...args: string[]): OpsResult {
  const r = spawnSync("npx", ["--no-install", "tsx", "scripts/ops.ts", ...args], { encoding: "utf8", env: process.env, timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

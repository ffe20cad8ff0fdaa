// Controls the local stack's own processes from a test: its Postgres (pg_ctl, as stack/env.sh sets
// it up: PG_BIN, PGDATA, the cluster owner) and its functions server (pid file, restart script).
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";

const run = promisify(execFile);
const ROOT = new URL("../../", import.meta.url).pathname;
const STACK_DIR = process.env.STACK_DIR ?? `${ROOT}.stack`;

/** Runs a shell snippet with the stack's settings (stack/env.sh) from the checkout's root. */
function stackShell(script: string) {
  return run("bash", ["-c", `source stack/env.sh && ${script}`], { cwd: ROOT, timeout: 120_000 });
}

const pgCtl = (args: string) => stackShell(`as_owner "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$STACK_LOG_DIR/postgres.log" ${args} >/dev/null`);

/** Crash-restarts Postgres (no shutdown checkpoint, clients cut off); resolves once it accepts connections again. */
export const restartPostgresImmediately = () => pgCtl("-w -t 60 restart -m immediate");
/** Stops Postgres at once (clients cut off). */
export const stopPostgresImmediately = () => pgCtl("-w -t 60 stop -m immediate");
export const startPostgres = () => pgCtl("-w -t 60 start");

export async function postgresIsRunning(): Promise<boolean> {
  try {
    await pgCtl("status");
    return true;
  } catch {
    return false;
  }
}

/** Starts Postgres if a test left it stopped (for finally blocks: the next test files need it). */
export async function ensurePostgresRunning(): Promise<void> {
  if (!(await postgresIsRunning())) await startPostgres();
}

/** The pid of the (first) functions server process. */
export function functionsPid(): number {
  return Number(readFileSync(`${STACK_DIR}/run/functions.pid`, "utf8").split("\n")[0]);
}

export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Restarts the functions server if it is no longer running (so one failed test does not fail the files after it). */
export async function ensureFunctionsRunning(): Promise<void> {
  if (!processIsAlive(functionsPid())) await stackShell("bash stack/functions-up.sh >/dev/null");
}

/** The functions server's log (stdout and stderr of the first process). */
export function functionsLog(): string {
  return readFileSync(`${STACK_DIR}/logs/functions.log`, "utf8");
}

// Serves the edge functions from a Deno process of the test's own, on a free port, with exactly the
// environment given (plus only what Deno needs to run): how a test sees the functions as another
// deployment would configure them, beside the local stack's server.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export type FunctionsProcess = {
  /** Base URL, `.../functions/v1`. */
  url: string;
  alive(): boolean;
  /** Everything the process printed so far. */
  output(): string;
  stop(): Promise<void>;
};

const path = (relative: string) => fileURLToPath(new URL(`../../${relative}`, import.meta.url));

export async function startFunctions(env: Record<string, string>): Promise<FunctionsProcess> {
  const runtime = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...(process.env.DENO_DIR ? { DENO_DIR: process.env.DENO_DIR } : {}) };
  const child = spawn(path("node_modules/.bin/deno"), ["run", "--allow-net", "--allow-env", "--allow-read", "--config", "deno.json", path("stack/functions-server.ts")], {
    cwd: path("supabase/functions"),
    // Port 0: the server takes a free port and prints it.
    env: { ...runtime, STACK_FUNCTIONS_PORT: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const alive = () => child.exitCode === null && child.signalCode === null;
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`functions did not start within 60 s:\n${output}`)), 60_000);
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const listening = /listening on :(\d+)/.exec(output);
      if (listening) {
        clearTimeout(timer);
        resolve(Number(listening[1]));
      }
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`functions exited with ${code}:\n${output}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}/functions/v1`,
    alive,
    output: () => output,
    stop: () =>
      new Promise<void>((resolve) => {
        if (!alive()) return resolve();
        child.once("exit", () => resolve());
        child.kill();
      }),
  };
}

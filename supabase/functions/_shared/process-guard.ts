// Keeps the isolate serving when something fails outside every request: an exception thrown from a
// timer or a rejected promise nobody awaits. Deno would end the process for it, and every request in
// flight with it (the postgres driver has thrown such errors while the database restarted:
// _vendor/postgres/README.md). Logged like any error (db-errors.ts), never with its data.
import { describeError } from "./db-errors.ts";

let guarded = false;

/** Installs the process-wide handlers once (a no-op outside Deno, e.g. under vitest). */
export function guardProcess(): void {
  if (guarded || typeof globalThis.addEventListener !== "function") return;
  guarded = true;
  globalThis.addEventListener("error", (event: ErrorEvent) => {
    event.preventDefault();
    console.error(`uncaught exception (process kept alive): ${describeError(event.error)}`);
  });
  globalThis.addEventListener("unhandledrejection", (event: PromiseRejectionEvent) => {
    event.preventDefault();
    console.error(`unhandled rejection (process kept alive): ${describeError(event.reason)}`);
  });
}

// Node only: closes (flushes) an emitter when the process is about to end: on SIGTERM and SIGINT
// (what process managers and Ctrl-C send) and on beforeExit (the event loop ran dry). After a
// signal's flush the process ends as the signal would have ended it, unless the application has
// its own handler for that signal (then ending it is the application's call).
import process from "node:process";
import type { AnalyticsEmitter } from "./analytics-emitter.ts";

export type ShutdownOptions = {
  signals?: NodeJS.Signals[];
  /** How long the flush may take; then close() leaves the rest to the store (see close()). */
  timeoutMs?: number;
};

/** Installs the hooks; returns a function that removes them. */
export function closeOnShutdown(emitter: AnalyticsEmitter, options: ShutdownOptions = {}): () => void {
  const { signals = ["SIGTERM", "SIGINT"], timeoutMs } = options;
  const onSignal = (signal: NodeJS.Signals) => {
    remove();
    void emitter.close({ timeoutMs }).then(() => {
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  };
  const onBeforeExit = () => {
    remove();
    void emitter.close({ timeoutMs });
  };
  const remove = () => {
    for (const signal of signals) process.off(signal, onSignal);
    process.off("beforeExit", onBeforeExit);
  };
  for (const signal of signals) process.on(signal, onSignal);
  process.on("beforeExit", onBeforeExit);
  return remove;
}

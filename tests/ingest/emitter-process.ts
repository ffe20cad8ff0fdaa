// A Node process with an emitter, for the tests of what happens when a process ends
// (tests/ingest/emitter.test.ts). Settings come from the environment:
//   MODE=crash      file store at QUEUE_FILE, starts sending (the test kills it with SIGKILL mid-send)
//   MODE=signal     memory store, closeOnShutdown; sends nothing until it gets SIGTERM
//   MODE=exit       memory store, closeOnShutdown; the script just ends (beforeExit)
// It emits COUNT order_created events tagged REQUEST_ID and prints "queued <ids as JSON>".
import { AnalyticsEmitter } from "../../client/analytics-emitter.ts";
import { FileQueueStore } from "../../client/file-queue-store.ts";
import { closeOnShutdown } from "../../client/node-shutdown.ts";

const { MODE, INGEST_URL, TOKEN, QUEUE_FILE, COUNT, REQUEST_ID, USER_ID } = process.env as Record<string, string>;

const emitter = new AnalyticsEmitter({
  url: INGEST_URL,
  token: TOKEN,
  flushIntervalMs: 0,
  batchSize: MODE === "crash" ? 10 : 1000,
  store: MODE === "crash" ? new FileQueueStore(QUEUE_FILE) : undefined,
  onError: (e) => console.error(`emitter: ${e.code} ${e.message}`),
});
if (MODE !== "crash") closeOnShutdown(emitter);

const ids: (string | null)[] = [];
for (let i = 0; i < Number(COUNT); i++) {
  ids.push(emitter.emit("order_created", { entity_id: `ord-${i}`, user_id: USER_ID, service_code: "tarot_reading", request_id: REQUEST_ID }));
}
console.log(`queued ${JSON.stringify(ids)}`);

if (MODE === "crash") void emitter.flush();
// Stay alive until the test's signal.
if (MODE === "signal") setInterval(() => {}, 60_000);

// The fast write path: a validated batch goes in as ONE `copy ... from stdin` (text format), the
// cheapest way into Postgres (no jsonb parsing, no speculative insertion; rows encoded by
// _shared/copy-text.ts). COPY is all or nothing: when some event is already stored (a retried
// batch) it fails with unique_violation and insert-events.ts writes the batch again with
// `on conflict do nothing` instead.
import type { Tx } from "../_shared/db.ts";
import type { ParsedEvent } from "../_shared/event-schema.ts";
import { COPY_SQL, copyLine } from "../_shared/copy-text.ts";

/** Streams the batch into events_raw with one COPY; resolves once the server has stored it and
 * rejects when the server refuses it (the transaction is then aborted and must be rolled back). */
export async function copyEvents(tx: Tx, events: ParsedEvent[]): Promise<void> {
  let data = "";
  for (const e of events) data += copyLine(e);
  const stream = await tx.unsafe(COPY_SQL).writable();
  // An error during the data phase destroys the stream ('error'); observed here, never unhandled.
  const refusedWhileSending = new Promise<never>((_, reject) => stream.once("error", reject));
  refusedWhileSending.catch(() => {});
  await new Promise<void>((resolve, reject) => stream.write(data, (err) => (err ? reject(err) : resolve())));
  // postgres.js 3.4 never settles a COPY that the server refuses after CopyDone, so its end
  // callback cannot be awaited (porsager/postgres#1173: the transaction would hang). A query
  // pipelined right behind CopyDone reports the outcome instead: it fails with 25P02 (transaction
  // aborted) exactly when the COPY failed.
  stream.end();
  await Promise.race([refusedWhileSending, afterCopy(tx)]);
}

/** `select 1` behind the COPY; the driver refuses queries until the stream has sent CopyDone. */
async function afterCopy(tx: Tx): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await tx`select 1`;
      return;
    } catch (err) {
      if ((err as { code?: string }).code !== "COPY_IN_PROGRESS" || attempt >= 100) throw err;
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  }
}

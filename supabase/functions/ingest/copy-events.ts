// The fast write path: a validated batch goes in as ONE `copy ... from stdin` (text format), the
// cheapest way into Postgres (no jsonb parsing, no speculative insertion). COPY is all or nothing:
// when some event is already stored (a retried batch) it fails with unique_violation and
// insert-events.ts writes the batch again with `on conflict do nothing` instead.
import type { Tx } from "../_shared/db.ts";
import type { ParsedEvent } from "../_shared/event-schema.ts";

// Column order of the COPY rows; events_raw fills ingested_at itself.
const COPY_COLUMNS = [
  "event_id", "event_domain", "event_type", "event_timestamp", "user_id", "entity_type", "entity_id", "status",
  "provider", "service_code", "country_code", "amount_cents", "currency", "duration_seconds", "request_id", "metadata",
] as const;

/** The COPY statement, shared with the generator's loader and the benchmark. */
export const COPY_SQL = `copy public.events_raw (${COPY_COLUMNS.join(", ")}) from stdin`;

const SPECIAL_RE = /[\\\t\n\r]/;
const SPECIAL_GLOBAL_RE = /[\\\t\n\r]/g;
const ESCAPES: Record<string, string> = { "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" };

/** A free-text value in COPY text format: \N for null, backslash escapes for the four special characters. */
function text(v: string | null | undefined): string {
  if (v === null || v === undefined) return "\\N";
  return SPECIAL_RE.test(v) ? v.replace(SPECIAL_GLOBAL_RE, (c) => ESCAPES[c]) : v;
}

/** A value whose format validation has pinned (uuid, ISO timestamp, ISO code, integer): nothing to escape. */
function plain(v: string | number | null | undefined): string {
  return v === null || v === undefined ? "\\N" : "" + v;
}

/** One event as a COPY text line (validation has already refused NUL characters). */
export function copyLine(e: ParsedEvent): string {
  return plain(e.event_id) + "\t" + text(e.event_domain) + "\t" + text(e.event_type) + "\t" +
    plain(e.event_timestamp) + "\t" + plain(e.user_id) + "\t" + text(e.entity_type) + "\t" +
    text(e.entity_id) + "\t" + text(e.status) + "\t" + text(e.provider) + "\t" +
    text(e.service_code) + "\t" + plain(e.country_code) + "\t" + plain(e.amount_cents) + "\t" +
    plain(e.currency) + "\t" + plain(e.duration_seconds) + "\t" + text(e.request_id) + "\t" +
    text(JSON.stringify(e.metadata ?? {})) + "\n";
}

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

// Bulk-loads generated events into public.events_raw with COPY (text format), encoded as the ingest
// function encodes them (_shared/copy-text.ts): generated events are catalog-valid by construction
// (generator test).
import type postgres from "postgres";
import { COPY_SQL, copyLine } from "../../supabase/functions/_shared/copy-text.ts";
import type { ParsedEvent } from "../../supabase/functions/_shared/event-schema.ts";
import type { GeneratedEvent } from "./types.ts";

/** COPYs the events in chunks of `chunk` lines; returns how many were loaded. */
// deno-lint-ignore no-explicit-any
export async function copyEvents(sql: postgres.Sql<any>, events: Iterable<GeneratedEvent>, chunk = 20_000): Promise<number> {
  const stream = await sql.unsafe(COPY_SQL).writable();
  let n = 0;
  let buf: string[] = [];
  const flush = async () => {
    if (buf.length === 0) return;
    const data = buf.join("");
    buf = [];
    if (!stream.write(data)) await new Promise<void>((resolve) => stream.once("drain", () => resolve()));
  };
  for (const e of events) {
    buf.push(copyLine(e as ParsedEvent));
    n++;
    if (buf.length >= chunk) await flush();
  }
  await flush();
  await new Promise<void>((resolve, reject) => {
    stream.on("error", reject);
    stream.on("finish", () => resolve());
    stream.end();
  });
  return n;
}

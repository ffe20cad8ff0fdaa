// Bulk-loads generated events into public.events_raw with COPY (text format).
import type postgres from "postgres";
import type { GeneratedEvent } from "./types.ts";

const COLUMNS = [
  "event_id", "event_domain", "event_type", "event_timestamp", "user_id", "entity_type", "entity_id", "status",
  "provider", "service_code", "country_code", "amount_cents", "currency", "duration_seconds", "request_id", "metadata",
] as const;

function field(v: unknown): string {
  if (v === null || v === undefined) return "\\N";
  const s = typeof v === "object" ? JSON.stringify(v) : String(v);
  return s.replace(/\\/g, "\\\\").replace(/\t/g, "\\t").replace(/\n/g, "\\n").replace(/\r/g, "\\r");
}

export function toCopyLine(e: GeneratedEvent): string {
  return COLUMNS.map((c) => field(e[c])).join("\t") + "\n";
}

/** COPYs the events in chunks of `chunk` lines; returns how many were loaded. */
// deno-lint-ignore no-explicit-any
export async function copyEvents(sql: postgres.Sql<any>, events: Iterable<GeneratedEvent>, chunk = 20_000): Promise<number> {
  const stream = await sql.unsafe(`copy public.events_raw (${COLUMNS.join(", ")}) from stdin`).writable();
  let n = 0;
  let buf: string[] = [];
  const flush = async () => {
    if (buf.length === 0) return;
    const data = buf.join("");
    buf = [];
    if (!stream.write(data)) await new Promise<void>((resolve) => stream.once("drain", () => resolve()));
  };
  for (const e of events) {
    buf.push(toCopyLine(e));
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

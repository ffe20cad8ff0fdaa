// Events as rows of `copy public.events_raw ... from stdin` (text format). Shared by the ingest
// function's write path, the generator's loader and the benchmark, so all three write the same bytes.
import type { ParsedEvent } from "./event-schema.ts";

// Column order of the COPY rows; events_raw fills ingested_at itself.
const COPY_COLUMNS = [
  "event_id", "event_domain", "event_type", "event_timestamp", "user_id", "entity_type", "entity_id", "status",
  "provider", "service_code", "country_code", "amount_cents", "currency", "duration_seconds", "request_id", "metadata",
] as const;

/** The COPY statement the rows of copyLine belong to. */
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

// The shape of one analytics event (docs/design.md §4, §9) as a zod schema, plus the checks that need
// the catalog: domain/type, required fields per type, entity type, status values, metadata field
// types, and the privacy filter. Each problem is reported with its field path.
import { z } from "zod";
import type { Catalog, CatalogEntry, MetadataFieldType } from "./catalog.ts";
import { ISO_3166_ALPHA2 } from "./iso3166.ts";
import { ISO_4217_CURRENCIES } from "./iso4217.ts";
import { checkMetadataPrivacy, checkValuePrivacy, keyPath } from "./privacy.ts";

const MAX_STRING = 256;
const MAX_METADATA_KEYS = 32;
const MAX_METADATA_BYTES = 4096;
const MAX_PAST_MS = 90 * 24 * 3600 * 1000; // the raw retention
const MAX_FUTURE_MS = 5 * 60 * 1000;

export const ZODIAC_SIGNS: ReadonlySet<string> = new Set([
  "aries", "taurus", "gemini", "cancer", "leo", "virgo",
  "libra", "scorpio", "sagittarius", "capricorn", "aquarius", "pisces",
]);

// Both cases spelled out: a case-insensitive (/i) regex takes about twice as long here.
const UUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
// Every string field the sender chooses freely (the `text` fields of eventShape below): each one
// passes the privacy filter. The other strings are uuids, timestamps and ISO codes, checked whole.
export const FREE_TEXT_FIELDS = [
  "event_domain", "event_type", "entity_type", "entity_id", "status", "provider", "service_code", "request_id",
] as const;

// Plain predicates (z.custom) rather than chains of zod checks: ingestion validates every event of
// every batch, and each extra zod node costs about a microsecond per event (bench/suites/10-ingest.ts).
const isUuid = (v: unknown): v is string => typeof v === "string" && UUID_RE.test(v);
const uuid = z.custom<string>(isUuid, { error: "must be a uuid" });
// Postgres text and jsonb refuse NUL characters and unpaired UTF-16 surrogates: reject them here
// as bad input instead of letting the insert fail.
const UNSTORABLE_RE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// Most strings hold neither NUL nor any surrogate: a plain character class rules them out cheaply.
const MAYBE_UNSTORABLE_RE = /[\u0000\uD800-\uDFFF]/;
const storable = (s: string) => !MAYBE_UNSTORABLE_RE.test(s) || !UNSTORABLE_RE.test(s);

const text = z.custom<string>((v) => typeof v === "string" && v.length >= 1 && v.length <= MAX_STRING && storable(v), {
  error: `must be a non-empty string of at most ${MAX_STRING} characters (no NUL or unpaired surrogates)`,
});
const nonNegativeInt = z.custom<number>((v) => Number.isSafeInteger(v) && (v as number) >= 0, {
  error: "must be a non-negative JSON integer",
});
// Codes are compared upper-cased (docs/design.md §9); checkEvent stores them upper-cased.
const codeIn = (codes: ReadonlySet<string>, what: string) =>
  z.custom<string>((v) => typeof v === "string" && codes.has(v.toUpperCase()), { error: `must be an ${what} code` });

// The calendar by table, not by a Date round trip (as metrics/params.ts does): this runs for every event.
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const ISO_DATETIME_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:Z|[+-](\d{2}):(\d{2}))$/;

/** Epoch ms of a strict ISO 8601 date-time with offset, or NaN. Checks the calendar itself:
 * Date.parse rolls 2026-11-31 over to December, where Postgres would refuse it. */
function parseIsoDateTime(v: unknown): number {
  const m = typeof v === "string" ? ISO_DATETIME_RE.exec(v) : null;
  if (!m) return NaN;
  const y = Number(m[1]), mo = Number(m[2]), d = Number(m[3]);
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  const daysInMonth = mo === 2 ? (leap ? 29 : 28) : DAYS_IN_MONTH[mo - 1];
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth) return NaN;
  if (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6]) > 59) return NaN;
  if (m[7] !== undefined && (Number(m[7]) > 15 || Number(m[8]) > 59)) return NaN;
  return Date.parse(v as string);
}

function timestampProblem(v: unknown): string | null {
  const t = parseIsoDateTime(v);
  if (Number.isNaN(t)) return "must be an ISO 8601 date-time with a UTC offset (e.g. 2026-11-25T10:00:00Z)";
  const now = Date.now();
  if (t < now - MAX_PAST_MS || t > now + MAX_FUTURE_MS) return "must be within the last 90 days and at most 5 minutes in the future";
  return null;
}
const timestamp = z.custom<string>((v) => timestampProblem(v) === null, { error: (iss) => timestampProblem(iss.input) ?? "invalid" });

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const metadata = z.custom<Record<string, unknown>>(isPlainObject, { error: "must be a flat JSON object" }).superRefine((m, ctx) => {
  const keys = Object.keys(m);
  if (keys.length > MAX_METADATA_KEYS) ctx.addIssue({ code: "custom", message: `must have at most ${MAX_METADATA_KEYS} keys` });
  const json = JSON.stringify(m);
  // UTF-8 needs at most 3 bytes per UTF-16 unit: encode only when the short form could be over.
  if (json.length * 3 > MAX_METADATA_BYTES && new TextEncoder().encode(json).length > MAX_METADATA_BYTES) {
    ctx.addIssue({ code: "custom", message: `must be at most ${MAX_METADATA_BYTES} bytes as JSON` });
  }
  for (const k of keys) {
    if (k.length > 64 || !storable(k)) {
      ctx.addIssue({ code: "custom", path: [k], message: "metadata keys must be at most 64 characters (no NUL or unpaired surrogates)" });
    }
    const v = m[k];
    if (v === null || typeof v === "boolean") continue;
    if (typeof v === "number") {
      if (!Number.isFinite(v)) ctx.addIssue({ code: "custom", path: [k], message: "must be a finite number" });
      continue;
    }
    if (typeof v === "string") {
      if (v.length > MAX_STRING || !storable(v)) {
        ctx.addIssue({ code: "custom", path: [k], message: `must be at most ${MAX_STRING} characters (no NUL or unpaired surrogates)` });
      }
      continue;
    }
    ctx.addIssue({ code: "custom", path: [k], message: "must be a string, number, boolean or null (metadata is flat)" });
  }
});

/** Common event fields; unknown top-level fields are rejected. */
export const eventShape = z.strictObject({
  event_id: uuid.optional(),
  event_domain: text,
  event_type: text,
  event_timestamp: timestamp,
  user_id: uuid.nullish(),
  entity_type: text.nullish(),
  entity_id: text.nullish(),
  status: text.nullish(),
  provider: text.nullish(),
  service_code: text.nullish(),
  country_code: codeIn(ISO_3166_ALPHA2, "ISO 3166-1 alpha-2 country").nullish(),
  amount_cents: nonNegativeInt.nullish(),
  currency: codeIn(ISO_4217_CURRENCIES, "ISO 4217 currency").nullish(),
  duration_seconds: nonNegativeInt.nullish(),
  request_id: text.nullish(),
  metadata: metadata.nullish(),
}, { error: "must be a JSON object" });

export type ParsedEvent = z.output<typeof eventShape>;
export type EventIssue = { path: string; message: string };

function metadataTypeOk(type: MetadataFieldType, v: unknown): boolean {
  switch (type) {
    case "uuid": return typeof v === "string" && UUID_RE.test(v);
    case "boolean": return typeof v === "boolean";
    case "percent": return Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 100;
    case "zodiac_sign": return typeof v === "string" && ZODIAC_SIGNS.has(v);
    case "string": return typeof v === "string";
  }
}

const METADATA_TYPE_MESSAGE: Record<MetadataFieldType, string> = {
  uuid: "must be a uuid",
  boolean: "must be a JSON boolean",
  percent: "must be a JSON integer from 0 to 100",
  zodiac_sign: "must be one of the 12 zodiac signs in lower case (aries ... pisces)",
  string: "must be a string",
};

/** Checks against the catalog entry of the event's type. */
function catalogIssues(e: ParsedEvent, entry: CatalogEntry): EventIssue[] {
  const issues: EventIssue[] = [];
  if (e.event_domain !== entry.eventDomain) {
    issues.push({ path: "event_type", message: `'${entry.eventType}' belongs to domain '${entry.eventDomain}'` });
  }
  const fields = e as Record<string, unknown>;
  for (const f of entry.requiredFields) {
    if (fields[f] === undefined || fields[f] === null) issues.push({ path: f, message: `is required for ${entry.eventType}` });
  }
  if (entry.entityType && e.entity_type != null && e.entity_type !== entry.entityType) {
    issues.push({ path: "entity_type", message: `must be '${entry.entityType}' for ${entry.eventType}` });
  }
  if (entry.statusValues && e.status != null && !entry.statusValues.includes(e.status)) {
    issues.push({ path: "status", message: `must be one of ${entry.statusValues.join(", ")} for ${entry.eventType}` });
  }
  const meta = e.metadata ?? {};
  for (const [key, spec] of Object.entries(entry.metadataFields)) {
    const v = meta[key];
    if (v === undefined || v === null) {
      if (spec.required) issues.push({ path: `metadata.${key}`, message: `is required for ${entry.eventType}` });
    } else if (!metadataTypeOk(spec.type, v)) {
      issues.push({ path: `metadata.${key}`, message: METADATA_TYPE_MESSAGE[spec.type] });
    }
  }
  return issues;
}

function privacyIssues(e: ParsedEvent): EventIssue[] {
  const issues: EventIssue[] = e.metadata ? checkMetadataPrivacy(e.metadata) : [];
  for (const f of FREE_TEXT_FIELDS) {
    const finding = checkValuePrivacy(f, e[f]);
    if (finding) issues.push(finding);
  }
  return issues;
}

/** An issue's path as the error reports it; keys whose own text is personal data are named by position. */
function issuePath(path: PropertyKey[], raw: unknown): string {
  if (path.length === 0) return "event";
  let out: string | undefined;
  let node = raw;
  for (const segment of path) {
    const key = String(segment);
    const obj = isPlainObject(node) ? node : undefined;
    out = keyPath(key, obj ? Object.keys(obj).indexOf(key) : -1, out);
    node = obj?.[key];
  }
  return out as string;
}

function zodIssues(error: z.ZodError, raw: unknown): EventIssue[] {
  return error.issues.flatMap((i) => {
    if (i.code === "unrecognized_keys") {
      return i.keys.map((k) => ({ path: issuePath([...i.path, k], raw), message: "is not a known event field" }));
    }
    return [{ path: issuePath(i.path, raw), message: i.message }];
  });
}

/** Validates one event; returns the normalised event or its issues. */
export function checkEvent(raw: unknown, catalog: Catalog): { event: ParsedEvent } | { issues: EventIssue[] } {
  const parsed = eventShape.safeParse(raw);
  if (!parsed.success) return { issues: zodIssues(parsed.error, raw) };
  const e = parsed.data;
  const entry = catalog.byType.get(e.event_type);
  const issues: EventIssue[] = [];
  if (!catalog.domains.has(e.event_domain)) issues.push({ path: "event_domain", message: "is not a known event domain" });
  if (!entry) issues.push({ path: "event_type", message: "is not a known event type" });
  else issues.push(...catalogIssues(e, entry));
  issues.push(...privacyIssues(e));
  if (issues.length) return { issues };
  // The catalog fixes the entity type of most domains: store it even when the sender left it out.
  if (entry?.entityType && e.entity_type == null) e.entity_type = entry.entityType;
  if (e.event_id) e.event_id = e.event_id.toLowerCase();
  if (e.user_id) e.user_id = e.user_id.toLowerCase();
  if (e.country_code) e.country_code = e.country_code.toUpperCase();
  if (e.currency) e.currency = e.currency.toUpperCase();
  return { event: e };
}

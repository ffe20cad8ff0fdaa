// Renders the Python emitter's catalog module (client/python/samia_analytics/catalog.py) from the
// one event catalog, public.event_schema_versions (latest version per type), with the event fields
// of the ingest function's own schema (_shared/event-schema.ts). scripts/generate-python-catalog.ts
// writes it; tests/ingest/python-catalog.test.ts fails when the committed file differs.
import type postgres from "postgres";
import type { CatalogRow } from "../supabase/functions/_shared/catalog.ts";
import { eventShape, ZODIAC_SIGNS } from "../supabase/functions/_shared/event-schema.ts";

export const loadCatalogRows = (sql: postgres.Sql<Record<string, unknown>>) => sql<CatalogRow[]>`
  select distinct on (event_type)
    event_type, version, event_domain, entity_type, required_fields, metadata_fields, status_values, client_emittable
  from public.event_schema_versions
  order by event_type, version desc`;

// Python types of the event fields (every field of the function's event schema needs one).
const FIELD_TYPES: Record<string, string> = {
  event_id: "str",
  event_timestamp: "Union[str, datetime]",
  user_id: "str",
  entity_type: "str",
  entity_id: "str",
  status: "str",
  provider: "str",
  service_code: "str",
  country_code: "str",
  amount_cents: "int",
  currency: "str",
  duration_seconds: "int",
  request_id: "str",
  metadata: "Metadata",
};
// Set by the emitter from the catalog / the call, never passed as optional fields.
const SET_BY_CALL = new Set(["event_domain", "event_type"]);

const METADATA_TYPES: Record<string, string> = { uuid: "str", boolean: "bool", percent: "int", zodiac_sign: "ZodiacSign", string: "str" };

const py = (v: unknown): string =>
  v === null ? "None" : typeof v === "boolean" ? (v ? "True" : "False") : Array.isArray(v) ? `(${v.map(py).join(", ")}${v.length === 1 ? "," : ""})` : JSON.stringify(v);
const pascal = (s: string) => s.replace(/(^|_)([a-z])/g, (_, __, c: string) => c.toUpperCase());
const literal = (values: string[]) => `Literal[${values.map((v) => JSON.stringify(v)).join(", ")}]`;

function eventFields(): string[] {
  const fields = Object.keys(eventShape.shape).filter((f) => !SET_BY_CALL.has(f));
  const untyped = fields.filter((f) => !(f in FIELD_TYPES));
  if (untyped.length) throw new Error(`no Python type for event field(s) ${untyped.join(", ")} (scripts/python-catalog.ts)`);
  return fields;
}

/** A TypedDict for a type's declared metadata: required keys in the base, optional ones in a total=False subclass. */
function metadataClass(row: CatalogRow): string[] {
  const name = `${pascal(row.event_type)}Metadata`;
  const entries = Object.entries(row.metadata_fields).sort(([a], [b]) => a.localeCompare(b));
  const line = ([key, spec]: [string, { type: string }]) => `    ${key}: ${METADATA_TYPES[spec.type] ?? "MetadataValue"}`;
  const required = entries.filter(([, s]) => s.required === true);
  const optional = entries.filter(([, s]) => s.required !== true);
  if (optional.length === 0) return [`class ${name}(TypedDict):`, ...required.map(line), ""];
  if (required.length === 0) return [`class ${name}(TypedDict, total=False):`, ...optional.map(line), ""];
  return [`class _${name}Required(TypedDict):`, ...required.map(line), "", "", `class ${name}(_${name}Required, total=False):`, ...optional.map(line), ""];
}

function overload(row: CatalogRow): string[] {
  const required = new Set(row.required_fields);
  const metadataRequired = Object.values(row.metadata_fields).some((s) => s.required === true);
  const hasMetadataClass = Object.keys(row.metadata_fields).length > 0;
  const typeOf = (field: string) => {
    if (field === "status" && row.status_values) return literal(row.status_values);
    if (field === "entity_type" && row.entity_type) return literal([row.entity_type]);
    if (field === "metadata" && hasMetadataClass) return `${pascal(row.event_type)}Metadata`;
    return FIELD_TYPES[field];
  };
  const params = eventFields().map((field) => {
    const isRequired = field === "metadata" ? metadataRequired : required.has(field);
    return isRequired ? `        ${field}: ${typeOf(field)},` : `        ${field}: Optional[${typeOf(field)}] = ...,`;
  });
  return [
    "    @overload",
    "    def __call__(",
    "        self,",
    "        *,",
    `        event_type: Literal[${JSON.stringify(row.event_type)}],`,
    `        event_domain: Literal[${JSON.stringify(row.event_domain)}] = ...,`,
    ...params,
    "    ) -> Optional[str]: ...",
    "",
  ];
}

export function renderPythonCatalog(rows: CatalogRow[]): string {
  const sorted = [...rows].sort((a, b) => a.event_type.localeCompare(b.event_type));
  const domains = [...new Set(sorted.map((r) => r.event_domain))].sort();
  const entry = (r: CatalogRow) => [
    `    ${JSON.stringify(r.event_type)}: CatalogEntry(`,
    `        domain=${py(r.event_domain)},`,
    `        entity_type=${py(r.entity_type)},`,
    `        required=${py(r.required_fields)},`,
    `        metadata={${Object.entries(r.metadata_fields).sort(([a], [b]) => a.localeCompare(b)).map(([k, s]) => `${py(k)}: (${py(s.type)}, ${py(s.required === true)})`).join(", ")}},`,
    `        status_values=${py(r.status_values)},`,
    `        client_emittable=${py(r.client_emittable)},`,
    "    ),",
  ];
  return [
    "# The event catalog for the Python emitter. GENERATED from public.event_schema_versions by",
    "# `npm run generate:python-catalog` (scripts/python-catalog.ts): do not edit by hand.",
    "# tests/ingest/python-catalog.test.ts fails when this file and the database catalog differ.",
    "from __future__ import annotations",
    "",
    "from datetime import datetime",
    "from typing import Dict, Literal, Mapping, NamedTuple, Optional, Protocol, Tuple, TypedDict, Union, overload",
    "",
    `EventType = ${literal(sorted.map((r) => r.event_type))}`,
    `EventDomain = ${literal(domains)}`,
    `ZodiacSign = ${literal([...ZODIAC_SIGNS])}`,
    "",
    "MetadataValue = Union[str, int, float, bool, None]",
    '"""Metadata is flat: scalars only, and never personal data (the ingest function rejects it)."""',
    "Metadata = Mapping[str, MetadataValue]",
    "",
    "",
    "class CatalogEntry(NamedTuple):",
    "    domain: str",
    "    entity_type: Optional[str]",
    "    required: Tuple[str, ...]",
    "    metadata: Dict[str, Tuple[str, bool]]",
    '    """Declared metadata keys: key -> (type, required)."""',
    "    status_values: Optional[Tuple[str, ...]]",
    "    client_emittable: bool",
    "",
    "",
    "CATALOG: Dict[str, CatalogEntry] = {",
    ...sorted.flatMap(entry),
    "}",
    "",
    "",
    ...sorted.filter((r) => Object.keys(r.metadata_fields).length > 0).flatMap((r) => [...metadataClass(r), ""]),
    "class EmitAnalyticsEvent(Protocol):",
    '    """emit_analytics_event(event_type=..., **fields): the catalog\'s required fields are required."""',
    "",
    ...sorted.flatMap(overload),
    "    def __call__(self, *, event_type: str, **fields: object) -> Optional[str]: ...",
    "",
  ].join("\n");
}

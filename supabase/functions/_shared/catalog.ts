// The event catalog (public.event_schema_versions, latest version per type), cached per isolate
// for a short time so a catalog change reaches running functions within a minute.
import { asCaller } from "./db.ts";
import { SERVICE_CALLER } from "./auth.ts";

export type MetadataFieldType = "uuid" | "boolean" | "percent" | "zodiac_sign" | "string";

export type CatalogEntry = {
  eventType: string;
  version: number;
  eventDomain: string;
  entityType: string | null;
  requiredFields: string[];
  metadataFields: Record<string, { type: MetadataFieldType; required: boolean }>;
  statusValues: string[] | null;
  clientEmittable: boolean;
};

export type Catalog = { byType: Map<string, CatalogEntry>; domains: Set<string> };

const TTL_MS = 60_000;

let cached: { catalog: Catalog; loadedAt: number } | undefined;
let loading: Promise<Catalog> | undefined;

/** A row of the catalog as loadCatalog reads it (also the Python emitter's generator, scripts/python-catalog.ts). */
export type CatalogRow = {
  event_type: string;
  version: number;
  event_domain: string;
  entity_type: string | null;
  required_fields: string[];
  metadata_fields: Record<string, { type: MetadataFieldType; required?: boolean }>;
  status_values: string[] | null;
  client_emittable: boolean;
};

async function loadCatalog(): Promise<Catalog> {
  const rows = await asCaller(SERVICE_CALLER, (tx) => tx<CatalogRow[]>`
    select distinct on (event_type)
      event_type, version, event_domain, entity_type, required_fields, metadata_fields, status_values, client_emittable
    from public.event_schema_versions
    order by event_type, version desc`);
  const byType = new Map<string, CatalogEntry>();
  for (const r of rows) {
    byType.set(r.event_type, {
      eventType: r.event_type,
      version: r.version,
      eventDomain: r.event_domain,
      entityType: r.entity_type,
      requiredFields: r.required_fields,
      metadataFields: Object.fromEntries(
        Object.entries(r.metadata_fields).map(([k, v]) => [k, { type: v.type, required: v.required === true }]),
      ),
      statusValues: r.status_values,
      clientEmittable: r.client_emittable,
    });
  }
  return { byType, domains: new Set(rows.map((r) => r.event_domain)) };
}

/** The current catalog; concurrent callers share one load. */
export async function getCatalog(now = Date.now()): Promise<Catalog> {
  if (cached && now - cached.loadedAt < TTL_MS) return cached.catalog;
  loading ??= loadCatalog()
    .then((catalog) => {
      cached = { catalog, loadedAt: Date.now() };
      return catalog;
    })
    .finally(() => {
      loading = undefined;
    });
  return loading;
}

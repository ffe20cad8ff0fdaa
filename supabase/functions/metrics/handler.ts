// GET /functions/v1/metrics/<endpoint>: routing, authentication (the one auth module), a clear
// 403 per endpoint, zod-validated parameters, and the query run as the caller so RLS decides.
// Finished answers are kept in an in-isolate cache keyed by caller, params and data versions
// (cache-key.ts), so a repeated question about unchanged data skips the query; the same key names
// the answer in its ETag (respond.ts). A large answer is sent on as its rows arrive (arriving-rows.ts).
import { authenticate } from "../_shared/auth.ts";
import { asCaller } from "../_shared/db.ts";
import { ApiError, notFound } from "../_shared/errors.ts";
import { routePath, serveHandler } from "../_shared/http.ts";
import { parseQuery } from "../_shared/query-params.ts";
import { authorize } from "./access.ts";
import { cacheKey } from "./cache-key.ts";
import { readingContext } from "./data-versions.ts";
import { ENDPOINTS } from "./endpoints.ts";
import { ArrivingRows } from "./arriving-rows.ts";
import { type CachedResponse, cacheLimitsFromEnv, ResponseCache } from "./response-cache.ts";
import { csvRequested, render, send, sendArriving } from "./respond.ts";
import { otherTimeZones } from "./time-zones.ts";

const responseCache = new ResponseCache(cacheLimitsFromEnv());

const PUBLIC_ENDPOINTS = [...ENDPOINTS.keys()].filter((n) => !n.startsWith("_"));

export const handler = serveHandler(async (req) => {
  const url = new URL(req.url);
  const name = /^\/metrics\/([^/]+)$/.exec(routePath(req))?.[1];
  const endpoint = name === undefined ? undefined : ENDPOINTS.get(name);
  if (!name || !endpoint) {
    throw notFound(`no metrics endpoint at '${url.pathname.slice(0, 100)}'; endpoints: ${PUBLIC_ENDPOINTS.join(", ")}`);
  }
  if (req.method !== "GET") {
    throw new ApiError(405, "method_not_allowed", `${req.method} is not allowed; use GET`, undefined, { allow: "GET, OPTIONS" });
  }
  const caller = await authenticate(req);
  authorize(caller, endpoint.roles, name);
  const params = parseQuery(url, endpoint.params);
  const csv = csvRequested(req, params.format);
  // Versions are read before the data: see data-versions.ts for why that order is safe.
  const context = await readingContext(endpoint.tables);
  // What the answer is computed from (none for an endpoint that reads no table): its cache key and ETag.
  const source = endpoint.tables.length > 0 ? cacheKey({ endpoint: name, params, csv, caller, ...context }) : undefined;
  const key = responseCache.enabled ? source : undefined;
  const cached = key === undefined ? undefined : responseCache.get(key);
  if (cached) return send(req, cached, "hit");
  const range = requestedDays(params);
  const rows = new ArrivingRows();
  const query = asCaller(caller, (tx) => endpoint.run(tx, caller, params, rows.add));
  const otherZones = range ? otherTimeZones(...range, context.timeZone) : Promise.resolve([]);
  otherZones.catch(() => {}); // awaited below; not an unhandled rejection while the query runs
  const store = key === undefined ? undefined : (rep: CachedResponse) => responseCache.set(key, rep);
  if (source !== undefined && !csv && (await rows.manyBefore(query))) {
    const zones = { time_zone: context.timeZone, other_time_zones: await otherZones };
    return sendArriving(req, name, params, query, rows, zones, source, store);
  }
  const [output, zones] = await Promise.all([query, otherZones]);
  const rendered = await render(name, params, output, rows, csv, { time_zone: context.timeZone, other_time_zones: zones }, source);
  store?.(rendered);
  return send(req, rendered, store ? "miss" : "bypass");
});

/** The days an answer is about: its date range, cohort range or day. */
function requestedDays(p: Record<string, unknown>): [string, string] | undefined {
  if (typeof p.start_date === "string" && typeof p.end_date === "string") return [p.start_date, p.end_date];
  if (typeof p.cohort_start === "string" && typeof p.cohort_end === "string") return [p.cohort_start, p.cohort_end];
  if (typeof p.date === "string") return [p.date, p.date];
  return undefined;
}

// The representation of an endpoint's output: JSON ({data, meta}) or CSV, with
// `Cache-Control: private, max-age=60` and a strong ETag so dashboards can poll with If-None-Match.
// Rendering and sending are separate so a rendered answer can be kept in the response cache.
import { toCsv } from "../_shared/csv.ts";
import { ifNoneMatchHits, strongEtag } from "../_shared/etag.ts";
import { corsHeaders } from "../_shared/http.ts";
import type { Output } from "./endpoints.ts";
import type { CachedResponse } from "./response-cache.ts";
import type { OtherTimeZone } from "./time-zones.ts";

const CSV_TYPE = "text/csv; charset=utf-8; header=present";
const encoder = new TextEncoder();

/** CSV asked for by `format=csv`, or by `Accept: text/csv` when no format is given (rows only). */
export function csvRequested(req: Request, format: unknown): boolean {
  if (format !== undefined) return format === "csv";
  return /(^|,)\s*text\/csv\s*(;|,|$)/i.test(req.headers.get("accept") ?? "");
}

/** The zone the answer's dates are local dates of, and days of the range computed in another. */
export type AnswerZones = { time_zone: string; other_time_zones: OtherTimeZone[] };

export async function render(
  endpoint: string, params: Record<string, unknown>, output: Output, csv: boolean, zones: AnswerZones,
): Promise<CachedResponse> {
  if (csv && output.kind === "rows") {
    const body = toCsv(output.columns, JSON.parse(output.rowsJson));
    return { body: encoder.encode(body), contentType: CSV_TYPE, etag: await strongEtag(body) };
  }
  const data = output.kind === "rows" ? output.rowsJson : output.dataJson;
  const meta = { endpoint, params, row_count: output.rowCount, ...zones };
  // The tag covers everything but generated_at, so it changes exactly when the answer does.
  const etag = await strongEtag(`${data}\n${JSON.stringify(meta)}`);
  const body = `{"data":${data},"meta":${JSON.stringify({ ...meta, generated_at: new Date().toISOString() })}}`;
  return { body: encoder.encode(body), contentType: "application/json; charset=utf-8", etag };
}

export type CacheStatus = "hit" | "miss" | "bypass";

/** 200 with the body, or 304 when If-None-Match names its ETag; `x-cache` says where it came from. */
export function send(req: Request, rep: CachedResponse, cache: CacheStatus): Response {
  const headers = {
    ...corsHeaders,
    "access-control-expose-headers": `${corsHeaders["access-control-expose-headers"]}, x-cache`,
    "cache-control": "private, max-age=60",
    vary: "Authorization, Accept",
    etag: rep.etag,
    "x-cache": cache,
  };
  if (ifNoneMatchHits(req.headers.get("if-none-match"), rep.etag)) return new Response(null, { status: 304, headers });
  return new Response(rep.body, { status: 200, headers: { ...headers, "content-type": rep.contentType } });
}

// The representation of an endpoint's output: JSON ({data, meta}) or CSV, with
// `Cache-Control: private, max-age=60` and a strong ETag so dashboards can poll with If-None-Match.
import { toCsv } from "../_shared/csv.ts";
import { ifNoneMatchHits, strongEtag } from "../_shared/etag.ts";
import { corsHeaders } from "../_shared/http.ts";
import type { Output } from "./endpoints.ts";

export const CSV_TYPE = "text/csv; charset=utf-8; header=present";

/** CSV when asked by `format=csv`, or by `Accept: text/csv` when no format is given; rows only. */
export function wantsCsv(req: Request, output: Output, format: unknown): boolean {
  if (output.kind !== "rows") return false;
  if (format !== undefined) return format === "csv";
  return /(^|,)\s*text\/csv\s*(;|,|$)/i.test(req.headers.get("accept") ?? "");
}

export async function represent(req: Request, endpoint: string, params: Record<string, unknown>, output: Output): Promise<Response> {
  const format = params.format;
  let body: string;
  let contentType: string;
  let etag: string;
  if (wantsCsv(req, output, format) && output.kind === "rows") {
    body = toCsv(output.columns, JSON.parse(output.rowsJson));
    contentType = CSV_TYPE;
    etag = await strongEtag(body);
  } else {
    const data = output.kind === "rows" ? output.rowsJson : output.dataJson;
    const meta = { endpoint, params, row_count: output.rowCount };
    // The tag covers everything but generated_at, so it changes exactly when the answer does.
    etag = await strongEtag(`${data}\n${JSON.stringify(meta)}`);
    body = `{"data":${data},"meta":${JSON.stringify({ ...meta, generated_at: new Date().toISOString() })}}`;
    contentType = "application/json; charset=utf-8";
  }
  const headers = { ...corsHeaders, "cache-control": "private, max-age=60", vary: "Authorization, Accept", etag };
  if (ifNoneMatchHits(req.headers.get("if-none-match"), etag)) return new Response(null, { status: 304, headers });
  return new Response(body, { status: 200, headers: { ...headers, "content-type": contentType } });
}

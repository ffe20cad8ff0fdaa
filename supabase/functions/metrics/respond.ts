// The representation of an endpoint's output: JSON ({data, meta}) or CSV, with
// `Cache-Control: private, max-age=60` and a strong ETag so dashboards can poll with If-None-Match.
// Rendering and sending are separate so a rendered answer can be kept in the response cache; a
// large rows answer is sent as its rows arrive (sendArriving) and cached once whole.
import { byteLength, joinChunks } from "../_shared/bytes.ts";
import { toCsv } from "../_shared/csv.ts";
import { describeError } from "../_shared/db-errors.ts";
import { ifNoneMatchHits, strongEtag } from "../_shared/etag.ts";
import { corsHeaders } from "../_shared/http.ts";
import type { ArrivingRows } from "./arriving-rows.ts";
import type { Output } from "./endpoints.ts";
import type { CachedResponse } from "./response-cache.ts";
import type { OtherTimeZone } from "./time-zones.ts";

const CSV_TYPE = "text/csv; charset=utf-8; header=present";
const JSON_TYPE = "application/json; charset=utf-8";
const encoder = new TextEncoder();
const decoder = new TextDecoder();

// Changes whenever the bytes an answer is made of change for the same data (a new field, another
// number format), so that no tag from before names a different representation.
const REPRESENTATION = "metrics-representation/2";

/** CSV asked for by `format=csv`, or by `Accept: text/csv` when no format is given (rows only). */
export function csvRequested(req: Request, format: unknown): boolean {
  if (format !== undefined) return format === "csv";
  return /(^|,)\s*text\/csv\s*(;|,|$)/i.test(req.headers.get("accept") ?? "");
}

/** The zone the answer's dates are local dates of, and days of the range computed in another. */
export type AnswerZones = { time_zone: string; other_time_zones: OtherTimeZone[] };

/**
 * The ETag. With `source` (the answer's cache key: endpoint, params, format, the caller's RLS
 * identity, zone and local day, and the data versions of the tables it reads; cache-key.ts) it
 * names what the answer is computed from rather than hashing its bytes: the same source gives the
 * same answer (generated_at aside) in any instance, and any write to a table the answer reads
 * gives a new tag, also one that left the answer as it was. Without a source (an endpoint that
 * reads no table), the tag hashes the representation.
 */
function etagOf(source: string | undefined, zones: AnswerZones | undefined, representation: () => string): Promise<string> {
  return strongEtag(source === undefined ? representation() : `${REPRESENTATION}\n${source}\n${JSON.stringify(zones ?? null)}`);
}

// A JSON answer is {"data":…,"meta":…}; rows go in data's brackets, as they arrive (arriving-rows.ts).
// Answers are kept as the chunks they were made of: joining megabytes costs a copy (bench/history.md).
const ROWS_HEAD = encoder.encode('{"data":[');
const metaOf = (endpoint: string, params: Record<string, unknown>, rowCount: number, zones: AnswerZones) =>
  ({ endpoint, params, row_count: rowCount, ...zones });
const jsonTail = (meta: Record<string, unknown>) => `,"meta":${JSON.stringify({ ...meta, generated_at: new Date().toISOString() })}}`;
const rowsTail = (meta: Record<string, unknown>) => encoder.encode(`]${jsonTail(meta)}`);

export async function render(
  endpoint: string, params: Record<string, unknown>, output: Output, rows: ArrivingRows, csv: boolean, zones: AnswerZones,
  source: string | undefined,
): Promise<CachedResponse> {
  if (csv && output.kind === "rows") {
    const body = toCsv(output.columns, JSON.parse(`[${rows.all().map((c) => decoder.decode(c)).join("")}]`));
    return { chunks: [encoder.encode(body)], contentType: CSV_TYPE, etag: await etagOf(source, undefined, () => body) };
  }
  const meta = metaOf(endpoint, params, output.rowCount, zones);
  const data = output.kind === "rows" ? () => `[${rows.all().map((c) => decoder.decode(c)).join("")}]` : () => output.dataJson;
  // A tag from the representation covers everything but generated_at, so it changes exactly when the answer does.
  const etag = await etagOf(source, zones, () => `${data()}\n${JSON.stringify(meta)}`);
  const chunks = output.kind === "rows"
    ? [ROWS_HEAD, ...rows.all(), rowsTail(meta)]
    : [encoder.encode(`{"data":${output.dataJson}${jsonTail(meta)}`)];
  return { chunks, contentType: JSON_TYPE, etag };
}

/**
 * A JSON rows answer named by its source, sent as its rows arrive (the query is still running):
 * the same bytes and ETag as render's. `cache` receives the whole answer once the query has ended.
 */
export async function sendArriving(
  req: Request, endpoint: string, params: Record<string, unknown>, query: Promise<Output>, rows: ArrivingRows,
  zones: AnswerZones, source: string, cache: ((rep: CachedResponse) => void) | undefined,
): Promise<Response> {
  const etag = await etagOf(source, zones, () => "");
  const tail = query.then((output) => rowsTail(metaOf(endpoint, params, output.rowCount, zones)));
  const stream = rows.stream(ROWS_HEAD, tail);
  tail.then(
    (t) => cache?.({ chunks: [ROWS_HEAD, ...rows.all(), t], contentType: JSON_TYPE, etag }),
    (err) => console.error(`metrics answer cut off after its status was sent: ${describeError(err)}`),
  );
  return send(req, { stream, contentType: JSON_TYPE, etag }, cache ? "miss" : "bypass");
}

export type CacheStatus = "hit" | "miss" | "bypass";

/** An answer whose bytes are still arriving: sent without a length. */
type Arriving = { stream: ReadableStream<Uint8Array>; contentType: string; etag: string };

/** 200 with the body, or 304 when If-None-Match names its ETag; `x-cache` says where it came from. */
export function send(req: Request, rep: CachedResponse | Arriving, cache: CacheStatus): Response {
  const headers = {
    ...corsHeaders,
    "access-control-expose-headers": `${corsHeaders["access-control-expose-headers"]}, x-cache`,
    "cache-control": "private, max-age=60",
    vary: "Authorization, Accept",
    etag: rep.etag,
    "x-cache": cache,
  };
  if (ifNoneMatchHits(req.headers.get("if-none-match"), rep.etag)) return new Response(null, { status: 304, headers });
  if ("stream" in rep) return new Response(rep.stream, { status: 200, headers: { ...headers, "content-type": rep.contentType } });
  const length = byteLength(rep.chunks);
  const body = length <= COPY_FREE_AFTER_BYTES ? joinChunks(rep.chunks, length) : streamOf(rep.chunks);
  return new Response(body, { status: 200, headers: { ...headers, "content-type": rep.contentType, "content-length": String(length) } });
}

// A Response made from bytes copies them (the Fetch standard's body extraction): for a cached
// answer of megabytes, a copy and as much garbage per hit. A stream of the chunks sends them as they
// are (bench/history.md, Metrics API); a small answer goes as one buffer, cheaper than a stream.
const COPY_FREE_AFTER_BYTES = 64 * 1024;

function streamOf(chunks: readonly Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const c of chunks) controller.enqueue(c);
      controller.close();
    },
  });
}

// Response helpers shared by every function: JSON bodies, CORS, and mapping errors to the
// project's error format so that no input ever surfaces as an unhandled 5xx.
import { describeError, retryableDatabaseError } from "./db-errors.ts";
import { ApiError } from "./errors.ts";
import { guardProcess } from "./process-guard.ts";

export const corsHeaders: Record<string, string> = {
  "access-control-allow-origin": "*",
  "access-control-allow-headers": "authorization, x-client-info, apikey, content-type, if-none-match",
  "access-control-allow-methods": "GET, POST, OPTIONS",
  "access-control-expose-headers": "etag, retry-after",
  "access-control-max-age": "86400",
};

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { ...corsHeaders, "content-type": "application/json; charset=utf-8", ...headers },
  });
}

function errorResponse(err: unknown): Response {
  if (err instanceof ApiError) {
    const error: Record<string, unknown> = { code: err.code, message: err.message };
    if (err.details) error.details = err.details;
    return json({ error }, err.status, err.headers);
  }
  // The database down, restarting or too slow: a 503 the caller may retry, and one line in the log.
  const retryable = retryableDatabaseError(err);
  if (retryable) {
    console.warn(`${retryable.code}: ${describeError(err)}`);
    return errorResponse(retryable);
  }
  console.error(`unhandled error: ${describeError(err)}`);
  return json({ error: { code: "internal_error", message: "internal error" } }, 500);
}

/**
 * The request's path inside the functions host: `/<name>/...` as the hosted runtime passes it, also
 * when it arrives as `/functions/v1/<name>/...` (the local stand-in, stack/functions-server.ts,
 * passes requests on unchanged); trailing slashes removed.
 */
export function routePath(req: Request): string {
  return new URL(req.url).pathname.replace(/^\/functions\/v1(?=\/)/, "").replace(/\/+$/, "");
}

/** Wraps a handler with CORS preflight and the error format; keeps its process alive (process-guard.ts). */
export function serveHandler(handler: (req: Request) => Promise<Response>) {
  guardProcess();
  return async (req: Request): Promise<Response> => {
    if (req.method === "OPTIONS") return new Response(null, { status: 204, headers: corsHeaders });
    try {
      return await handler(req);
    } catch (err) {
      return errorResponse(err);
    }
  };
}

// Response helpers shared by every function: JSON bodies, CORS, and mapping errors to the
// project's error format so that no input ever surfaces as an unhandled 5xx.
import { ApiError } from "./errors.ts";

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

export function errorResponse(err: unknown): Response {
  if (err instanceof ApiError) {
    const error: Record<string, unknown> = { code: err.code, message: err.message };
    if (err.details) error.details = err.details;
    return json({ error }, err.status, err.headers);
  }
  console.error("unhandled error", err);
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

/** Wraps a handler with CORS preflight and the error format. */
export function serveHandler(handler: (req: Request) => Promise<Response>) {
  return async (req: Request): Promise<Response> => {
    if (req.method === "OPTIONS") return new Response(null, { status: 204, headers: corsHeaders });
    try {
      return await handler(req);
    } catch (err) {
      return errorResponse(err);
    }
  };
}

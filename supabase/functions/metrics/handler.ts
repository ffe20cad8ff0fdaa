// GET /functions/v1/metrics/<endpoint>: routing, authentication (the one auth module), a clear
// 403 per endpoint, zod-validated parameters, and the query run as the caller so RLS decides.
import { authenticate } from "../_shared/auth.ts";
import { asCaller } from "../_shared/db.ts";
import { ApiError, notFound } from "../_shared/errors.ts";
import { serveHandler } from "../_shared/http.ts";
import { parseQuery } from "../_shared/query-params.ts";
import { authorize } from "./access.ts";
import { ENDPOINTS } from "./endpoints.ts";
import { represent } from "./respond.ts";

const PUBLIC_ENDPOINTS = [...ENDPOINTS.keys()].filter((n) => !n.startsWith("_"));

export const handler = serveHandler(async (req) => {
  const url = new URL(req.url);
  const name = /^(?:\/functions\/v1)?\/metrics\/([^/]+)\/?$/.exec(url.pathname)?.[1];
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
  const output = await asCaller(caller, (tx) => endpoint.run(tx, caller, params));
  return represent(req, name, params, output);
});

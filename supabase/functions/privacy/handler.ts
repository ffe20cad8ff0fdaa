// Privacy rights for admins and backends:
//   POST /privacy/erase   {"user_id": uuid}  → erasure receipt (analytics.erase_user)
//   GET  /privacy/export?user_id=<uuid>      → everything stored about the user (analytics.export_user)
// The caller is authorised here (admin, superadmin or service role); the work runs as service_role.
import { z } from "zod";
import { authenticate, isAdmin, SERVICE_CALLER } from "../_shared/auth.ts";
import type { Caller } from "../_shared/auth.ts";
import { asCaller } from "../_shared/db.ts";
import { ApiError, badRequest, forbidden, notFound } from "../_shared/errors.ts";
import { json, routePath, serveHandler } from "../_shared/http.ts";
import { readJsonBody } from "../_shared/json-body.ts";

const MAX_BODY_BYTES = 4 * 1024;
const userIdSchema = z.string().uuid({ message: "must be a uuid" }).transform((s) => s.toLowerCase());
const eraseBody = z.strictObject({ user_id: userIdSchema });

function requesterOf(caller: Caller): string {
  return caller.kind === "service" ? "service_role" : `${caller.appRole}:${caller.sub}`;
}

function parseOrThrow<T>(schema: z.ZodType<T>, input: unknown, where: string): T {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw badRequest("invalid_request", `invalid ${where}`, parsed.error.issues.map((i) => ({
    path: [where, ...i.path.map(String)].join("."),
    message: i.message,
  })));
}

async function erase(req: Request, caller: Caller): Promise<Response> {
  const body = parseOrThrow(eraseBody, await readJsonBody(req, MAX_BODY_BYTES), "body");
  const receipt = await asCaller(SERVICE_CALLER, async (tx) => {
    const [row] = await tx<{ receipt: unknown }[]>`
      select analytics.erase_user(${body.user_id}::uuid, ${requesterOf(caller)}) as receipt`;
    return row.receipt;
  }); // An erasure that cannot pause ingestion within lock_timeout erases nothing: a 503 (db-errors.ts).
  return json({ data: receipt });
}

async function exportUser(url: URL): Promise<Response> {
  const unknown = [...url.searchParams.keys()].filter((k) => k !== "user_id");
  if (unknown.length) {
    throw badRequest("invalid_parameter", "unknown query parameter", unknown.map((k) => ({ path: k, message: "unknown parameter" })));
  }
  const userId = parseOrThrow(userIdSchema, url.searchParams.get("user_id") ?? undefined, "user_id");
  const data = await asCaller(SERVICE_CALLER, async (tx) => {
    const [row] = await tx<{ data: unknown }[]>`select analytics.export_user(${userId}::uuid) as data`;
    return row.data;
  });
  return json({ data });
}

export const handler = serveHandler(async (req) => {
  const url = new URL(req.url);
  const route = routePath(req).replace(/^\/privacy/, "");
  const method = route === "/erase" ? "POST" : route === "/export" ? "GET" : null;
  if (!method) throw notFound(`no privacy endpoint '${route || "/"}'`);
  if (req.method !== method) throw new ApiError(405, "method_not_allowed", `use ${method} for /privacy${route}`, undefined, { allow: method });

  const caller = await authenticate(req);
  if (!isAdmin(caller)) throw forbidden("privacy requests need an admin, superadmin or service role credential");
  return route === "/erase" ? erase(req, caller) : exportUser(url);
});

// POST /functions/v1/ingest: {"events": [...]} → {"accepted": n, "duplicates": m} (docs/design.md §7, §9).
// Order: authenticate (401), request quota when the caller's minute looked used up (429), content
// type and size (415/413), body deadline (408), JSON (400), validation (400 invalid_events),
// authorisation per event (403), the quota of the request and its events (429; one statement),
// then one write as service_role (shared with other requests' batches under load: group-commit.ts).
import { authenticate, SERVICE_CALLER } from "../_shared/auth.ts";
import type { Caller } from "../_shared/auth.ts";
import { getCatalog } from "../_shared/catalog.ts";
import { asCaller } from "../_shared/db.ts";
import { ApiError } from "../_shared/errors.ts";
import type { ParsedEvent } from "../_shared/event-schema.ts";
import { json, routePath, serveHandler } from "../_shared/http.ts";
import { readJsonBody } from "../_shared/json-body.ts";
import { admitRequest, consumeEventQuota, countRefusedRequest } from "../_shared/rate-limit.ts";
import { authorizeEvents } from "./authorize.ts";
import { GroupCommit } from "./group-commit.ts";
import { withUniqueIds } from "./insert-events.ts";
import { validateBatch } from "./validate-batch.ts";

// The function has authorised the caller itself; the write runs as service_role (docs/design.md §9),
// with the caller's claims recorded in request.jwt.claims.
const writerFor = (caller: Caller): Caller => ({ ...SERVICE_CALLER, claims: caller.claims });
const writes = new GroupCommit();

export const handler = serveHandler(async (req) => {
  if (routePath(req) !== "/ingest") throw new ApiError(404, "not_found", "no such route");
  if (req.method !== "POST") {
    throw new ApiError(405, "method_not_allowed", "use POST", undefined, { allow: "POST, OPTIONS" });
  }
  const caller = await authenticate(req);
  const writer = writerFor(caller);
  const quota = await admitRequest(writer, caller);

  let events: ParsedEvent[];
  try {
    const body = await readJsonBody(req);
    const catalog = await getCatalog();
    events = validateBatch(body, catalog, caller.kind === "user" ? caller.sub : undefined);
    authorizeEvents(caller, events, catalog);
  } catch (err) {
    return await countRefusedRequest(quota, err); // every request counts
  }
  await consumeEventQuota(quota, events.length);

  const unique = withUniqueIds(events);
  const stored = await writes.store(JSON.stringify(writer.claims), (fn) => asCaller(writer, fn), unique);
  return json({ accepted: stored, duplicates: events.length - stored });
});

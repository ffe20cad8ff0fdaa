// Validates the request body {"events": [...]} against the catalog: every bad event is reported
// (index, path, message) so a sender can fix a whole batch in one round trip.
import { badRequest } from "../_shared/errors.ts";
import type { ErrorDetail } from "../_shared/errors.ts";
import type { Catalog } from "../_shared/catalog.ts";
import { checkEvent } from "../_shared/event-schema.ts";
import { keyPath } from "../_shared/privacy.ts";
import type { ParsedEvent } from "../_shared/event-schema.ts";

const MAX_EVENTS = 1000;

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);

/** `ownUserId`: a user token's sub, filled in where an event has no user_id (a client only knows its token). */
export function validateBatch(body: unknown, catalog: Catalog, ownUserId?: string): ParsedEvent[] {
  if (!body || typeof body !== "object" || Array.isArray(body)) {
    throw badRequest("invalid_body", 'body must be a JSON object {"events": [...]}');
  }
  const keys = Object.keys(body);
  const extra = keys.filter((k) => k !== "events");
  if (extra.length) {
    const details = extra.map((k) => ({ path: keyPath(k, keys.indexOf(k)), message: "is not a known body field" }));
    throw badRequest("invalid_body", "body has unknown fields", details);
  }
  const events = (body as { events?: unknown }).events;
  if (!Array.isArray(events) || events.length < 1 || events.length > MAX_EVENTS) {
    throw badRequest("invalid_body", `events must be an array of 1 to ${MAX_EVENTS} events`, [{ path: "events", message: `must be an array of 1 to ${MAX_EVENTS} events` }]);
  }
  const valid: ParsedEvent[] = [];
  const details: ErrorDetail[] = [];
  events.forEach((raw, index) => {
    const withUser = ownUserId && isObject(raw) && raw.user_id == null ? { ...raw, user_id: ownUserId } : raw;
    const result = checkEvent(withUser, catalog);
    if ("event" in result) valid.push(result.event);
    else for (const issue of result.issues) details.push({ index, ...issue });
  });
  if (details.length) {
    const bad = new Set(details.map((d) => d.index)).size;
    throw badRequest("invalid_events", `${bad} of ${events.length} events are invalid; nothing was written`, details);
  }
  return valid;
}

// Who may send what: the service role any catalog event for any user; a user token only
// client-emittable types, and only for its own user id.
import { ApiError } from "../_shared/errors.ts";
import type { ErrorDetail } from "../_shared/errors.ts";
import type { Caller } from "../_shared/auth.ts";
import type { Catalog } from "../_shared/catalog.ts";
import type { ParsedEvent } from "../_shared/event-schema.ts";

export function authorizeEvents(caller: Caller, events: ParsedEvent[], catalog: Catalog): void {
  if (caller.kind === "service") return;
  const details: ErrorDetail[] = [];
  events.forEach((e, index) => {
    if (!catalog.byType.get(e.event_type)?.clientEmittable) {
      details.push({ index, path: "event_type", message: `'${e.event_type}' can only be sent by a backend with the service key` });
    }
    if (e.user_id !== caller.sub) {
      details.push({ index, path: "user_id", message: "a user token may only send events for its own user id" });
    }
  });
  if (details.length) {
    throw new ApiError(403, "forbidden", "this token may not send some of these events; nothing was written", details);
  }
}

// POSTs to the ingest function over real HTTP with the service key, timing every attempt: the
// lock tests assert that ingestion answers quickly while maintenance or an erasure holds locks.
import { LOCAL_SECRET_KEY } from "../../stack/local-settings.ts";
import { callFunction } from "./functions.ts";

export type Attempt = { status: number; ms: number; body: Record<string, unknown>; retryAfterS: number | null };

/** One POST of `events`; never throws for an HTTP status. */
export async function postEvents(events: Record<string, unknown>[]): Promise<Attempt> {
  const t0 = performance.now();
  const res = await callFunction("ingest", {
    method: "POST",
    headers: { authorization: `Bearer ${LOCAL_SECRET_KEY}`, "content-type": "application/json" },
    body: JSON.stringify({ events }),
  });
  const body = (await res.json()) as Record<string, unknown>;
  const retryAfter = res.headers.get("retry-after");
  return { status: res.status, ms: performance.now() - t0, body, retryAfterS: retryAfter === null ? null : Number(retryAfter) };
}

/** POSTs until a 200, honouring a 503's Retry-After as the emitter does; every attempt is returned. */
export async function postUntilStored(events: Record<string, unknown>[], deadlineMs = 30_000): Promise<Attempt[]> {
  const attempts: Attempt[] = [];
  const start = Date.now();
  for (;;) {
    const a = await postEvents(events);
    attempts.push(a);
    if (a.status !== 503 || Date.now() - start > deadlineMs) return attempts;
    await new Promise((resolve) => setTimeout(resolve, 1000 * (a.retryAfterS ?? 1)));
  }
}

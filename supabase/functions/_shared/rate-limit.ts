// Per-caller ingest quota, counted in Postgres (analytics.consume_ingest_quota) so it holds across
// isolates: requests and events per minute, per user (user tokens) and per backend key. Two steps,
// one round trip each: the request is counted before its body is read (a refused caller costs no
// parsing), its events once the batch is valid, before the write. A batch that would pass the
// event limit is refused whole and counts nothing.
import { ApiError } from "./errors.ts";
import { env } from "./env.ts";
import type { Caller } from "./auth.ts";
import { db, oneStatementAs } from "./db.ts";
import { sqlLiteral } from "./sql-literal.ts";

export type QuotaLimits = { requests: number; events: number };

/** Per minute. A limit on events below a full batch (1000) would refuse full batches for good. */
export const DEFAULT_LIMITS: Record<Caller["kind"], QuotaLimits> = {
  user: { requests: 600, events: 2_000 },
  service: { requests: 6_000, events: 300_000 },
};

const LIMIT_ENV: Record<Caller["kind"], Record<keyof QuotaLimits, string>> = {
  user: { requests: "INGEST_RATE_LIMIT_PER_MINUTE", events: "INGEST_EVENT_LIMIT_PER_MINUTE" },
  service: { requests: "INGEST_SERVICE_RATE_LIMIT_PER_MINUTE", events: "INGEST_SERVICE_EVENT_LIMIT_PER_MINUTE" },
};

function limitFromEnv(name: string, fallback: number): number {
  const n = Number(env(name));
  return Number.isInteger(n) && n > 0 && n <= 2_147_483_647 ? n : fallback; // an int in SQL
}

/** The caller's bucket: one per user, one per backend key (never the key itself: auth.ts keyId). */
function quotaBucket(caller: Caller): string {
  return caller.kind === "service" ? `service:${caller.keyId}` : `user:${caller.sub}`;
}

function quotaLimits(caller: Caller): QuotaLimits {
  const names = LIMIT_ENV[caller.kind];
  const defaults = DEFAULT_LIMITS[caller.kind];
  return { requests: limitFromEnv(names.requests, defaults.requests), events: limitFromEnv(names.events, defaults.events) };
}

type Counted = { allowed: boolean; event_count: number | null; retry_after_s: number };

async function consume(writer: Caller, caller: Caller, requests: number, events: number, limits: QuotaLimits): Promise<Counted> {
  const [row] = await oneStatementAs<Counted>(db(), writer,
    `select allowed, event_count, retry_after_s from analytics.consume_ingest_quota(${sqlLiteral(quotaBucket(caller))}, ` +
      `${requests}, ${events}, ${limits.requests}, ${limits.events})`);
  return row;
}

const rateLimited = (message: string, retryAfterS: number) =>
  new ApiError(429, "rate_limited", message, undefined, { "retry-after": String(retryAfterS) });

/** Counts the request as `writer` (one round trip), before its body is read; 429 with Retry-After
 * when the caller is over its requests, or has no events left, this minute. */
export async function consumeRequestQuota(writer: Caller, caller: Caller): Promise<void> {
  const limits = quotaLimits(caller);
  const row = await consume(writer, caller, 1, 0, limits);
  if (!row.allowed) throw rateLimited(`too many requests: at most ${limits.requests} per minute for this caller`, row.retry_after_s);
  if (row.event_count! >= limits.events) throw eventsRefused(limits, row.retry_after_s);
}

/** Counts a valid batch's events (one round trip) before it is written; 429 with Retry-After, and
 * nothing counted, when they would take the caller past its events this minute. */
export async function consumeEventQuota(writer: Caller, caller: Caller, events: number): Promise<void> {
  const limits = quotaLimits(caller);
  const row = await consume(writer, caller, 0, events, limits);
  if (!row.allowed) throw eventsRefused(limits, row.retry_after_s);
}

const eventsRefused = (limits: QuotaLimits, retryAfterS: number) =>
  rateLimited(`too many events: at most ${limits.events} per minute for this caller; nothing was written`, retryAfterS);

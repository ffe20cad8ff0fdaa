// Per-caller ingest quota, counted in Postgres (analytics.consume_ingest_quota) so it holds across
// isolates: requests and events per minute, per user (user tokens) and per backend key. A valid
// request is counted with its events in ONE statement, once the batch is valid and before the
// write; a batch that would pass a limit is refused whole and counts nothing but the request.
// While this isolate has seen the caller's minute used up (a refusal, or an answer at a limit),
// the request is counted before its body is read instead, as the first step, so a refused caller
// costs no parsing; a request that fails before its events are counted is counted alone.
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

type Counted = { allowed: boolean; request_count: number | null; event_count: number | null; retry_after_s: number };

async function consume(writer: Caller, caller: Caller, requests: number, events: number, limits: QuotaLimits): Promise<Counted> {
  const [row] = await oneStatementAs<Counted>(db(), writer,
    `select allowed, request_count, event_count, retry_after_s from analytics.consume_ingest_quota(${sqlLiteral(quotaBucket(caller))}, ` +
      `${requests}, ${events}, ${limits.requests}, ${limits.events})`);
  return row;
}

/** Buckets whose minute this isolate has seen used up: when (ms since the epoch) that minute ends. */
const usedUpUntil = new Map<string, number>();
const MAX_REMEMBERED_BUCKETS = 10_000;

function remember(bucket: string, row: Counted, limits: QuotaLimits): void {
  const usedUp = !row.allowed || row.request_count! >= limits.requests || row.event_count! >= limits.events;
  if (!usedUp) return void usedUpUntil.delete(bucket);
  if (usedUpUntil.size >= MAX_REMEMBERED_BUCKETS) usedUpUntil.delete(usedUpUntil.keys().next().value!);
  usedUpUntil.set(bucket, Date.now() + row.retry_after_s * 1000);
}

const rateLimited = (message: string, retryAfterS: number) =>
  new ApiError(429, "rate_limited", message, undefined, { "retry-after": String(retryAfterS) });
const requestsRefused = (limits: QuotaLimits, retryAfterS: number) =>
  rateLimited(`too many requests: at most ${limits.requests} per minute for this caller`, retryAfterS);
const eventsRefused = (limits: QuotaLimits, retryAfterS: number) =>
  rateLimited(`too many events: at most ${limits.events} per minute for this caller; nothing was written`, retryAfterS);

/** A request's passage through the quota: counted before its body is read, or with its events. */
export type QuotaTicket = { writer: Caller; caller: Caller; limits: QuotaLimits; requestCounted: boolean };

/** Counts the request alone (one statement); 429 with Retry-After when the caller is over its
 * requests, or has no events left, this minute. */
async function countRequest(ticket: QuotaTicket): Promise<void> {
  const { writer, caller, limits } = ticket;
  const row = await consume(writer, caller, 1, 0, limits);
  remember(quotaBucket(caller), row, limits);
  ticket.requestCounted = row.allowed;
  if (!row.allowed) throw requestsRefused(limits, row.retry_after_s);
  if (row.event_count! >= limits.events) throw eventsRefused(limits, row.retry_after_s);
}

/**
 * Before the body is read. Counts the request now only while this isolate has seen the caller's
 * minute used up (one statement, which refuses it without parsing when it still is); otherwise
 * leaves it to consumeEventQuota, which counts it with the events.
 */
export async function admitRequest(writer: Caller, caller: Caller): Promise<QuotaTicket> {
  const ticket: QuotaTicket = { writer, caller, limits: quotaLimits(caller), requestCounted: false };
  const until = usedUpUntil.get(quotaBucket(caller));
  if (until !== undefined && until > Date.now()) await countRequest(ticket);
  return ticket;
}

/**
 * Counts a valid batch's events, and the request unless admitRequest did (one statement), before it
 * is written; 429 with Retry-After, and no event counted, when they would take the caller past its
 * limits this minute. A refused request is still counted as a request, as when it was counted first.
 */
export async function consumeEventQuota(ticket: QuotaTicket, events: number): Promise<void> {
  const { writer, caller, limits } = ticket;
  const row = await consume(writer, caller, ticket.requestCounted ? 0 : 1, events, limits);
  remember(quotaBucket(caller), row, limits);
  if (row.allowed) return void (ticket.requestCounted = true);
  // Requests or events? Counting the request alone tells, as the request-first order did.
  if (!ticket.requestCounted) await countRequest(ticket);
  throw eventsRefused(limits, row.retry_after_s);
}

/**
 * For a request refused before its events were counted (its body, its events): counts it now, as
 * every request counts. When that finds the caller's minute used up, the answer is that 429, as it
 * would have been had the request been counted first. If counting fails, the first error stands.
 * A failure of the server's (the database unreachable) is not counted: it would only wait again.
 */
export async function countRefusedRequest(ticket: QuotaTicket, refusal: unknown): Promise<never> {
  if (!ticket.requestCounted && refusal instanceof ApiError && refusal.status < 500) {
    try {
      await countRequest(ticket);
    } catch (err) {
      if (err instanceof ApiError && err.status === 429) throw err;
    }
  }
  throw refusal;
}

// Per-caller request quota for ingestion, counted in Postgres (analytics.consume_ingest_quota) so
// it holds across isolates. The limit comes from INGEST_RATE_LIMIT_PER_MINUTE (user tokens, per
// user) and INGEST_SERVICE_RATE_LIMIT_PER_MINUTE (all backends together, one bucket).
import { ApiError } from "./errors.ts";
import { env } from "./env.ts";
import type { Caller } from "./auth.ts";
import { db, oneStatementAs } from "./db.ts";
import { sqlLiteral } from "./sql-literal.ts";

export const DEFAULT_USER_LIMIT_PER_MINUTE = 600;
export const DEFAULT_SERVICE_LIMIT_PER_MINUTE = 6000;

function limitFromEnv(name: string, fallback: number): number {
  const n = Number(env(name));
  return Number.isInteger(n) && n > 0 && n <= 2_147_483_647 ? n : fallback; // an int in SQL
}

export function rateLimitBucket(caller: Caller): string {
  return caller.kind === "service" ? "service" : `user:${caller.sub}`;
}

export function rateLimitFor(caller: Caller): number {
  return caller.kind === "service"
    ? limitFromEnv("INGEST_SERVICE_RATE_LIMIT_PER_MINUTE", DEFAULT_SERVICE_LIMIT_PER_MINUTE)
    : limitFromEnv("INGEST_RATE_LIMIT_PER_MINUTE", DEFAULT_USER_LIMIT_PER_MINUTE);
}

/** Counts the request as `writer` (one round trip); throws 429 with Retry-After when the caller is over its limit. */
export async function consumeQuota(writer: Caller, caller: Caller): Promise<void> {
  const limit = rateLimitFor(caller);
  const [row] = await oneStatementAs<{ allowed: boolean; retry_after_s: number }>(db(), writer,
    `select allowed, retry_after_s from analytics.consume_ingest_quota(${sqlLiteral(rateLimitBucket(caller))}, ${limit})`);
  if (!row.allowed) {
    throw new ApiError(429, "rate_limited", `too many requests: at most ${limit} per minute for this caller`, undefined, {
      "retry-after": String(row.retry_after_s),
    });
  }
}

// The response cache key: everything a metrics answer depends on. Rows are decided by RLS from
// the database role, app_metadata.role and sub (auth.uid()), and a reader's rows also by the local
// day in the reporting time zone (30-day window), which also names the answer's dates, so all of
// these are in the key: two callers whose RLS results could differ never share an entry. The data
// versions make any write to a read table a new key.
import type { Caller } from "../_shared/auth.ts";

/** The caller's RLS-relevant identity: the service role, or role + app role + user id. */
function callerScope(caller: Caller): string {
  return caller.kind === "service" ? "service_role" : `authenticated/${caller.appRole ?? "-"}/${caller.sub}`;
}

/** Params as a canonical string: keys sorted, values as validated (normalised) by the schema. */
export function canonicalParams(params: Record<string, unknown>): string {
  return JSON.stringify(Object.keys(params).sort().map((k) => [k, params[k]]));
}

export type CacheKeyParts = {
  endpoint: string;
  params: Record<string, unknown>;
  csv: boolean;
  caller: Caller;
  versions: string;
  /** The reporting time zone: it names the answer's dates (meta.time_zone). */
  timeZone: string;
  /** Today's local date in it: a reader's 30-day window moves with it. */
  today: string;
};

export function cacheKey(p: CacheKeyParts): string {
  return [p.endpoint, p.csv ? "csv" : "json", callerScope(p.caller), p.timeZone, p.today, p.versions, canonicalParams(p.params)].join("\n");
}

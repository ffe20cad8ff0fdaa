// Endpoint-level authorisation: a clear 403 for roles that may not use an endpoint at all.
// Rows are still decided by RLS (the queries run as the caller); this only explains refusals.
import type { AppRole, Caller } from "../_shared/auth.ts";
import { forbidden } from "../_shared/errors.ts";

/** Backends (service role) may use everything; users need an app role listed for the endpoint. */
export function mayUse(caller: Caller, roles: readonly AppRole[]): boolean {
  return caller.kind === "service" || (caller.appRole !== null && roles.includes(caller.appRole));
}

export function authorize(caller: Caller, roles: readonly AppRole[], endpoint: string): void {
  if (mayUse(caller, roles)) return;
  const who = caller.kind === "user" && caller.appRole ? `role '${caller.appRole}'` : "a user without an application role";
  throw forbidden(`${who} may not read the ${endpoint} metrics`);
}

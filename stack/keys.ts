// Supabase's local development credentials (what `supabase start` prints) and a token minter
// for the demo roles. Used by `npm start` and the tests; never by deployed code.
import { existsSync, readFileSync } from "node:fs";
import { SignJWT } from "jose";

export const LOCAL_JWT_SECRET = "super-secret-jwt-token-with-at-least-32-characters-long";
export const LOCAL_ANON_KEY =
  "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24iLCJleHAiOjE5ODM4MTI5OTZ9.CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0";
export const LOCAL_SERVICE_ROLE_KEY =
  "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6InNlcnZpY2Vfcm9sZSIsImV4cCI6MTk4MzgxMjk5Nn0.EGIM96RAZx35lJzdJsyH-qQwv8Hdp7fsn3W0YpN81IU";
export const LOCAL_SECRET_KEY = "sb_secret_N7UND0UgjKTVK-Uodkm0Hg_xSvEMPvz";
export const LOCAL_PUBLISHABLE_KEY = "sb_publishable_ACJWlzQHlZjBrEguHvfOxg_3BJgxAaH";

// The checkout's git-ignored .stack.env (per-worktree ports) applies to Node scripts started by npm
// too, not only to the shell scripts that source it: without it a worktree's `npm start` or
// `npm run generate` would write into the default stack on 54322.
function stackSetting(name: string): string | undefined {
  if (process.env[name]) return process.env[name];
  const file = new URL("../.stack.env", import.meta.url);
  if (!existsSync(file)) return undefined;
  return readFileSync(file, "utf8").match(new RegExp(`^\\s*(?:export\\s+)?${name}=["']?([0-9]+)`, "m"))?.[1];
}

const dbPort = stackSetting("STACK_DB_PORT") ?? "54322";
const functionsPort = stackSetting("STACK_FUNCTIONS_PORT") ?? "54321";
export const LOCAL_DB_URL = process.env.SUPABASE_DB_URL ?? `postgresql://postgres:postgres@127.0.0.1:${dbPort}/postgres`;
export const LOCAL_SUPABASE_URL = `http://127.0.0.1:${functionsPort}`;
export const LOCAL_FUNCTIONS_URL = `${LOCAL_SUPABASE_URL}/functions/v1`;
export const LOCAL_DASHBOARD_URL = `http://127.0.0.1:${stackSetting("STACK_DASHBOARD_PORT") ?? "54323"}/`;

export type DemoRole = "superadmin" | "admin" | "monitor" | "reader" | "client";
export const DEMO_ROLES: DemoRole[] = ["superadmin", "admin", "monitor", "reader", "client"];

/** Stable demo user ids, one per application role. */
export const DEMO_USERS: Record<DemoRole, string> = {
  superadmin: "00000000-0000-4000-8000-000000000001",
  admin: "00000000-0000-4000-8000-000000000002",
  monitor: "00000000-0000-4000-8000-000000000003",
  reader: "00000000-0000-4000-8000-000000000004",
  client: "00000000-0000-4000-8000-000000000005",
};

export type TokenOptions = {
  sub?: string;
  appRole?: string | null;
  userMetadata?: Record<string, unknown>;
  expiresInS?: number;
  claims?: Record<string, unknown>;
  secret?: string;
};

/** Mints a user access token shaped like Supabase Auth's (role/aud authenticated, app_metadata.role). */
export async function mintUserToken(opts: TokenOptions = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const payload: Record<string, unknown> = {
    role: "authenticated",
    aud: "authenticated",
    iss: `${LOCAL_SUPABASE_URL}/auth/v1`,
    app_metadata: opts.appRole === null ? {} : { provider: "email", role: opts.appRole ?? "client" },
    user_metadata: opts.userMetadata ?? {},
    ...opts.claims,
  };
  return new SignJWT(payload)
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(opts.sub ?? DEMO_USERS.client)
    .setIssuedAt(now)
    .setExpirationTime(now + (opts.expiresInS ?? 3600))
    .sign(new TextEncoder().encode(opts.secret ?? LOCAL_JWT_SECRET));
}

export const mintRoleToken = (role: DemoRole, expiresInS = 3600) =>
  mintUserToken({ sub: DEMO_USERS[role], appRole: role, expiresInS });

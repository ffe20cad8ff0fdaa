// Demo users, one per application role, and a token minter shaped like Supabase Auth's, signed
// with the local stack's keys (stack/local-settings.ts). Used by `npm start`, the dashboard's demo
// sign-in, the bench and the tests; never by deployed code.
import { importJWK, SignJWT } from "jose";
import { LOCAL_ES256_PRIVATE_JWK, LOCAL_JWT_SECRET, LOCAL_SUPABASE_URL } from "./local-settings.ts";

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
  /** Lifetime; null leaves `exp` out (a token the functions must refuse). */
  expiresInS?: number | null;
  claims?: Record<string, unknown>;
  /** HS256 with `secret` (default: the local JWT secret), or ES256 with the local signing key. */
  alg?: "HS256" | "ES256";
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
  const jwt = new SignJWT(payload).setSubject(opts.sub ?? DEMO_USERS.client).setIssuedAt(now);
  if (opts.expiresInS !== null) jwt.setExpirationTime(now + (opts.expiresInS ?? 3600));
  if (opts.alg === "ES256") {
    const key = await importJWK(LOCAL_ES256_PRIVATE_JWK, "ES256");
    return jwt.setProtectedHeader({ alg: "ES256", kid: LOCAL_ES256_PRIVATE_JWK.kid, typ: "JWT" }).sign(key);
  }
  return jwt.setProtectedHeader({ alg: "HS256", typ: "JWT" }).sign(new TextEncoder().encode(opts.secret ?? LOCAL_JWT_SECRET));
}

export const mintRoleToken = (role: DemoRole, expiresInS = 3600) =>
  mintUserToken({ sub: DEMO_USERS[role], appRole: role, expiresInS });

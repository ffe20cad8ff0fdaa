// The one auth module: verifies the caller's credential in the function itself (whatever the
// platform gate did) and says who the caller is. Only what the environment configures is trusted,
// nothing is built in, and a method with nothing configured rejects (docs/design.md §12):
// - user tokens: ES256/RS256 with the project's JWKS (SUPABASE_JWKS, which hosted Supabase gives
//   every function, or else the JWKS endpoint of SUPABASE_URL); HS256 only with AUTH_JWT_SECRET
//   (a custom secret: hosted Supabase neither provides the JWT secret nor lets a secret's name start
//   with SUPABASE_). Every JWT must carry `exp`.
// - backends: an `sb_secret_...` key listed in SUPABASE_SECRET_KEYS, the legacy service_role key
//   equal to SUPABASE_SERVICE_ROLE_KEY, or a service_role JWT that verifies as above.
// The application role comes from app_metadata.role only.
import { createLocalJWKSet, createRemoteJWKSet, decodeProtectedHeader, errors as joseErrors, jwtVerify } from "jose";
import type { JSONWebKeySet, JWTPayload, JWTVerifyGetKey } from "jose";
import { env } from "./env.ts";
import { unauthorized } from "./errors.ts";

const APP_ROLES = ["superadmin", "admin", "monitor", "reader", "client"] as const;
export type AppRole = (typeof APP_ROLES)[number];

export type Claims = JWTPayload & Record<string, unknown>;

/** keyId: which backend credential this is, stable and not secret (its own quota bucket, rate-limit.ts). */
export type Caller =
  | { kind: "service"; dbRole: "service_role"; keyId: string; claims: Claims }
  | { kind: "user"; dbRole: "authenticated"; sub: string; appRole: AppRole | null; claims: Claims };

const CLOCK_TOLERANCE_S = 30;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const textEncoder = new TextEncoder();

let jwks: JWTVerifyGetKey | null | undefined;

/** The project's JWKS: SUPABASE_JWKS when set (authoritative, even when malformed), else SUPABASE_URL's endpoint. */
function projectJwks(): JWTVerifyGetKey | null {
  if (jwks !== undefined) return jwks;
  const inline = env("SUPABASE_JWKS");
  const url = env("SUPABASE_URL");
  if (inline) jwks = inlineJwks(inline);
  else if (url) jwks = createRemoteJWKSet(new URL("/auth/v1/.well-known/jwks.json", url), { cacheMaxAge: 10 * 60_000 });
  else jwks = null;
  return jwks;
}

/** `{"keys": [...]}` as the JWKS endpoint serves it, or a bare array of keys. */
function inlineJwks(raw: string): JWTVerifyGetKey | null {
  try {
    const parsed: unknown = JSON.parse(raw);
    return createLocalJWKSet((Array.isArray(parsed) ? { keys: parsed } : parsed) as JSONWebKeySet);
  } catch {
    console.error("SUPABASE_JWKS is not a JSON Web Key Set: asymmetric tokens are rejected");
    return null;
  }
}

type SecretKey = { keyId: string; key: string };

/** Secret keys (`sb_secret_...`): SUPABASE_SECRET_KEYS is a JSON object of name → key, or a comma
 * list. A key's id is its name in the object, or its position in the list. */
function secretKeys(): SecretKey[] {
  const keys: SecretKey[] = [];
  const raw = env("SUPABASE_SECRET_KEYS");
  if (raw) {
    try {
      const parsed: unknown = JSON.parse(raw);
      if (parsed && typeof parsed === "object") {
        for (const [name, key] of Object.entries(parsed)) if (typeof key === "string") keys.push({ keyId: `secret:${name}`, key });
      }
    } catch {
      raw.split(",").map((k) => k.trim()).forEach((key, i) => key && keys.push({ keyId: `secret:${i}`, key }));
    }
  }
  const serviceKey = env("SUPABASE_SERVICE_ROLE_KEY");
  if (serviceKey?.startsWith("sb_secret_")) keys.push({ keyId: "secret:service_role_key", key: serviceKey });
  return keys;
}

/** A token's id: the first 16 hex digits of its SHA-256, which name it without revealing it. */
async function tokenFingerprint(token: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", textEncoder.encode(token)));
  return Array.from(digest.subarray(0, 8), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Constant-time comparison (length leaks only, which a key's fixed format reveals anyway). */
function timingSafeEqual(a: string, b: string): boolean {
  const x = textEncoder.encode(a);
  const y = textEncoder.encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

function credentialOf(req: Request): string | null {
  const header = req.headers.get("authorization");
  if (header) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw unauthorized("Authorization header must be 'Bearer <token>'");
    return match[1];
  }
  // Backends may send a secret key in the apikey header alone.
  const apikey = req.headers.get("apikey");
  return apikey?.startsWith("sb_secret_") ? apikey : null;
}

const VERIFY_OPTIONS = { clockTolerance: CLOCK_TOLERANCE_S, requiredClaims: ["exp"] };

async function verifyJwt(token: string): Promise<Claims> {
  let alg: string | undefined;
  try {
    alg = decodeProtectedHeader(token).alg;
  } catch {
    throw unauthorized("malformed token");
  }
  try {
    if (alg === "HS256") {
      const secret = env("AUTH_JWT_SECRET");
      if (!secret) throw unauthorized("HS256 tokens are not accepted here");
      return (await jwtVerify(token, textEncoder.encode(secret), { ...VERIFY_OPTIONS, algorithms: ["HS256"] })).payload as Claims;
    }
    if (alg === "ES256" || alg === "RS256") {
      const keys = projectJwks();
      if (!keys) throw unauthorized("no JWKS configured for asymmetric tokens");
      return (await jwtVerify(token, keys, { ...VERIFY_OPTIONS, algorithms: ["ES256", "RS256"] })).payload as Claims;
    }
  } catch (err) {
    if (err instanceof joseErrors.JWTExpired) throw unauthorized("token expired");
    if (err instanceof joseErrors.JWTClaimValidationFailed) {
      throw unauthorized(`token claim '${err.claim}' is ${err.reason === "missing" ? "missing" : "not valid"}`);
    }
    if (err instanceof joseErrors.JOSEError) throw unauthorized("invalid token signature or format");
    throw err;
  }
  throw unauthorized(`token algorithm '${alg ?? "none"}' is not accepted`);
}

/** The legacy service_role key, recognised only as the exact value the environment configures. */
function isLegacyServiceRoleKey(credential: string): boolean {
  const key = env("SUPABASE_SERVICE_ROLE_KEY");
  return key !== undefined && !key.startsWith("sb_secret_") && timingSafeEqual(credential, key);
}

function appRoleOf(claims: Claims): AppRole | null {
  const meta = claims.app_metadata;
  const role = meta && typeof meta === "object" ? (meta as Record<string, unknown>).role : undefined;
  return typeof role === "string" && (APP_ROLES as readonly string[]).includes(role) ? (role as AppRole) : null;
}

/** Authenticates a request; throws a 401 ApiError for anything that is not a valid caller. */
export async function authenticate(req: Request): Promise<Caller> {
  const credential = credentialOf(req);
  if (!credential) throw unauthorized("missing bearer token");

  if (credential.startsWith("sb_secret_")) {
    // Every key is compared (constant time overall); the first that matches names the caller.
    const hit = secretKeys().reduce<SecretKey | undefined>((found, k) => (timingSafeEqual(credential, k.key) && !found ? k : found), undefined);
    if (!hit) throw unauthorized("unknown secret key");
    return { kind: "service", dbRole: "service_role", keyId: hit.keyId, claims: { role: "service_role" } };
  }
  if (credential.startsWith("sb_publishable_")) throw unauthorized("a publishable key is not a user token");
  if (isLegacyServiceRoleKey(credential)) {
    return { kind: "service", dbRole: "service_role", keyId: `jwt:${await tokenFingerprint(credential)}`, claims: { role: "service_role" } };
  }

  const claims = await verifyJwt(credential);
  if (claims.role === "service_role") {
    return { kind: "service", dbRole: "service_role", keyId: `jwt:${await tokenFingerprint(credential)}`, claims };
  }
  if (claims.role === "anon") throw unauthorized("the anon key is not a user token");

  const aud = claims.aud;
  const audOk = aud === "authenticated" || (Array.isArray(aud) && aud.includes("authenticated"));
  if (claims.role !== "authenticated" || !audOk) throw unauthorized("token is not an authenticated user token");
  if (typeof claims.sub !== "string" || !UUID_RE.test(claims.sub)) throw unauthorized("token subject is not a user id");
  return { kind: "user", dbRole: "authenticated", sub: claims.sub.toLowerCase(), appRole: appRoleOf(claims), claims };
}

export const isAdmin = (caller: Caller) =>
  caller.kind === "service" || caller.appRole === "admin" || caller.appRole === "superadmin";

/** The service role as a caller: for work a function runs after authorising the real caller itself. */
export const SERVICE_CALLER: Caller = { kind: "service", dbRole: "service_role", keyId: "internal", claims: { role: "service_role" } };

// The signed-in user: a Supabase access token kept for this browser tab only, and what its
// (unverified, display-only) claims say. The API verifies the token on every request.
export type AppRole = "superadmin" | "admin" | "monitor" | "reader" | "client";

export type Session = { token: string; role: AppRole | null; sub: string | null; exp: number | null };

const KEY = "samia-dashboard.token";

function decodeClaims(token: string): Record<string, unknown> | null {
  const part = token.split(".")[1];
  if (!part) return null;
  try {
    const b64 = part.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(part.length / 4) * 4, "=");
    const json = new TextDecoder().decode(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)));
    const claims: unknown = JSON.parse(json);
    return claims && typeof claims === "object" ? (claims as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

const ROLES: AppRole[] = ["superadmin", "admin", "monitor", "reader", "client"];

export function sessionFromToken(token: string): Session | null {
  const claims = decodeClaims(token);
  if (!claims) return null;
  const appMeta = claims.app_metadata as Record<string, unknown> | undefined;
  const role = ROLES.find((r) => r === appMeta?.role) ?? null;
  return {
    token,
    role,
    sub: typeof claims.sub === "string" ? claims.sub : null,
    exp: typeof claims.exp === "number" ? claims.exp : null,
  };
}

export const isExpired = (s: Session, nowS = Date.now() / 1000) => s.exp !== null && s.exp <= nowS;

export function loadSession(): Session | null {
  const token = sessionStorage.getItem(KEY);
  return token ? sessionFromToken(token) : null;
}

export function saveSession(token: string): void {
  sessionStorage.setItem(KEY, token);
}

export function clearSession(): void {
  sessionStorage.removeItem(KEY);
}

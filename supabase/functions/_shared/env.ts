// Reads configuration from Deno.env in edge functions and from process.env under Node (vitest),
// so shared modules load unchanged in both runtimes.
type EnvSource = { get(name: string): string | undefined };

const denoEnv: EnvSource | undefined = (globalThis as { Deno?: { env: EnvSource } }).Deno?.env;
const nodeEnv: Record<string, string | undefined> | undefined =
  (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env;

export function env(name: string): string | undefined {
  const value = denoEnv ? denoEnv.get(name) : nodeEnv?.[name];
  return value === undefined || value === "" ? undefined : value;
}

/** Supabase's local default JWT secret (`supabase start`); hosted projects set SUPABASE_JWT_SECRET. */
export const LOCAL_JWT_SECRET = "super-secret-jwt-token-with-at-least-32-characters-long";

export const LOCAL_DB_URL = "postgresql://postgres:postgres@127.0.0.1:54322/postgres";

// The local stack's settings for the TypeScript tooling and tests: stack/local.env (the one place
// that holds them), overridden by the checkout's git-ignored .stack.env and then by the environment,
// read the same way stack/env.sh reads them for the shell scripts. Never imported by deployed code.
import { existsSync, readFileSync } from "node:fs";
import type { JSONWebKeySet, JWK } from "jose";

const ROOT = new URL("../", import.meta.url);

/** NAME=value lines (optional `export `, optional quotes); anything else is ignored. */
function readSettings(file: URL): Map<string, string> {
  const settings = new Map<string, string>();
  if (!existsSync(file)) return settings;
  for (const line of readFileSync(file, "utf8").split(/\r?\n/)) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (match) settings.set(match[1], match[2].replace(/^"(.*)"$|^'(.*)'$/, "$1$2"));
  }
  return settings;
}

function loadSettings(): Map<string, string> {
  const overrides = readSettings(new URL(".stack.env", ROOT));
  const settings = new Map<string, string>();
  for (const [name, fallback] of readSettings(new URL("stack/local.env", ROOT))) {
    const raw = process.env[name] || (overrides.get(name) ?? fallback);
    settings.set(name, raw.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, ref: string) => settings.get(ref) ?? ""));
  }
  return settings;
}

const settings = loadSettings();

function setting(name: string): string {
  const value = settings.get(name);
  if (value === undefined) throw new Error(`${name} is missing from stack/local.env`);
  return value;
}

const json = (path: string): unknown => JSON.parse(readFileSync(new URL(path, ROOT), "utf8"));

export const LOCAL_DB_URL = setting("STACK_DB_URL");
export const LOCAL_SUPABASE_URL = setting("STACK_SUPABASE_URL");
export const LOCAL_FUNCTIONS_URL = setting("STACK_FUNCTIONS_URL");
export const LOCAL_DASHBOARD_URL = setting("STACK_DASHBOARD_URL");
export const LOCAL_DASHBOARD_PORT = Number(setting("STACK_DASHBOARD_PORT"));
export const LOCAL_FUNCTIONS_WORKERS = Number(setting("STACK_FUNCTIONS_WORKERS"));

export const LOCAL_JWT_SECRET = setting("STACK_JWT_SECRET");
export const LOCAL_ANON_KEY = setting("STACK_ANON_KEY");
export const LOCAL_SERVICE_ROLE_KEY = setting("STACK_SERVICE_ROLE_KEY");
export const LOCAL_SECRET_KEY = setting("STACK_SECRET_KEY");
export const LOCAL_SECOND_SECRET_KEY = setting("STACK_SECOND_SECRET_KEY");
export const LOCAL_PUBLISHABLE_KEY = setting("STACK_PUBLISHABLE_KEY");
/** The local signing key set's public half (what the functions get as SUPABASE_JWKS) and private key. */
export const LOCAL_JWKS = json(setting("STACK_JWKS_FILE")) as JSONWebKeySet;
export const LOCAL_ES256_PRIVATE_JWK = json(setting("STACK_ES256_PRIVATE_JWK_FILE")) as JWK;

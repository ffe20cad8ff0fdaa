/// <reference path="./vite-env.d.ts" />
// Where the API is. Build-time defaults come from VITE_SUPABASE_URL / VITE_SUPABASE_ANON_KEY;
// a `config.json` next to index.html (fetched at start-up) overrides them, so one build can be
// deployed anywhere. The local stack's server adds `demoTokens` (local development only).
import type { AppRole } from "./session.ts";

export type DashboardConfig = {
  supabaseUrl: string;
  anonKey: string;
  /** Local development only: ready-made tokens for the demo sign-in. Never in a deployed config. */
  demoTokens?: Partial<Record<AppRole, string>>;
};

export async function loadConfig(): Promise<DashboardConfig> {
  const fromBuild: Partial<DashboardConfig> = {
    supabaseUrl: import.meta.env.VITE_SUPABASE_URL,
    anonKey: import.meta.env.VITE_SUPABASE_ANON_KEY,
  };
  let fromFile: Partial<DashboardConfig> = {};
  try {
    const res = await fetch("./config.json", { cache: "no-store" });
    if (res.ok) fromFile = (await res.json()) as Partial<DashboardConfig>;
  } catch {
    // No config.json: the build-time values must do.
  }
  const merged = { ...fromBuild, ...fromFile };
  if (!merged.supabaseUrl || !merged.anonKey) {
    throw new Error("The dashboard is not configured: set supabaseUrl and anonKey in config.json (see docs/dashboard.md).");
  }
  return merged as DashboardConfig;
}

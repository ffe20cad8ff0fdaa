// supabase-js clients against the local functions server, signed as a given user or key.
import { createClient } from "@supabase/supabase-js";
import WebSocket from "ws";
import { LOCAL_ANON_KEY, LOCAL_FUNCTIONS_URL, LOCAL_SUPABASE_URL } from "../../stack/local-settings.ts";

/** A supabase-js client whose requests carry `token` as the bearer (user JWT or service key). */
export function clientWithToken(token: string) {
  return createClient(LOCAL_SUPABASE_URL, LOCAL_ANON_KEY, {
    global: { headers: { Authorization: `Bearer ${token}` } },
    auth: { persistSession: false, autoRefreshToken: false },
    // Node 20 has no global WebSocket; supabase-js' realtime client insists on one.
    realtime: { transport: WebSocket as unknown as typeof globalThis.WebSocket },
  });
}

/** Plain fetch to a function path, for status codes and headers supabase-js hides. */
export function callFunction(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${LOCAL_FUNCTIONS_URL}/${path.replace(/^\//, "")}`, init);
}

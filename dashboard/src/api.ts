// The metrics API through supabase-js `functions.invoke`, signed with the user's JWT. Failures
// become an ApiFailure with the HTTP status and the API's error message, never a silent blank.
import { createClient, FunctionsFetchError, FunctionsHttpError } from "@supabase/supabase-js";
import type { DashboardConfig } from "./config.ts";
import { noteReportingZone } from "./reporting-zone.ts";

export type Params = Record<string, string | undefined | null>;
export type Row = Record<string, unknown>;
export type MetricsResponse = { data: unknown; meta?: Record<string, unknown> };

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The response's JSON body, when it had one (a health check's 503 explains itself). */
    readonly body: unknown = null,
  ) {
    super(message);
    this.name = "ApiFailure";
  }
}

export function queryString(params: Params): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : "";
}

export type HealthReport = { healthy: boolean; reasons?: string[]; checks?: unknown; checked_at?: string };

export type MetricsApi = {
  get(endpoint: string, params: Params): Promise<MetricsResponse>;
  csv(endpoint: string, params: Params): Promise<string>;
  /** The `health` function (admins): 200 healthy; a 503 ApiFailure carries the report as body. */
  health(): Promise<HealthReport>;
};

export function metricsApi(config: DashboardConfig, token: string): MetricsApi {
  const client = createClient(config.supabaseUrl, config.anonKey, {
    global: { headers: { Authorization: `Bearer ${token}` } },
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
  });
  async function call<T>(path: string, params: Params): Promise<T> {
    const { data, error } = await client.functions.invoke<T>(`${path}${queryString(params)}`, { method: "GET" });
    if (error) throw await toFailure(error);
    return data as T;
  }
  return {
    get: async (endpoint, params) => {
      const res = await call<MetricsResponse>(`metrics/${endpoint}`, params);
      noteReportingZone(res.meta?.time_zone);
      return res;
    },
    csv: (endpoint, params) => call<string>(`metrics/${endpoint}`, { ...params, format: "csv" }),
    health: () => call<HealthReport>("health", {}),
  };
}

async function toFailure(error: unknown): Promise<ApiFailure> {
  if (error instanceof FunctionsHttpError) {
    const res = error.context as Response;
    let code = "http_error";
    let message = res.statusText || `HTTP ${res.status}`;
    let body: unknown = null;
    try {
      body = await res.json();
      const err = (body as { error?: { code?: string; message?: string } }).error;
      if (err?.code) code = err.code;
      if (err?.message) message = err.message;
    } catch {
      // Not JSON (a proxy or gateway answered): keep the status text.
    }
    return new ApiFailure(res.status, code, message, body);
  }
  if (error instanceof FunctionsFetchError) return new ApiFailure(0, "network_error", "The metrics service could not be reached.");
  return new ApiFailure(0, "unknown_error", error instanceof Error ? error.message : String(error));
}

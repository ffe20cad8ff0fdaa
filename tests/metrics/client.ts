// Calls GET /functions/v1/metrics/<path> through supabase-js functions.invoke with a token, and
// returns status, headers and the parsed body whatever the status.
import { FunctionsHttpError } from "@supabase/supabase-js";
import { clientWithToken } from "../helpers/functions.ts";

export type MetricsResponse = { status: number; headers: Headers; body: any };

export async function getMetrics(token: string, path: string, headers: Record<string, string> = {}): Promise<MetricsResponse> {
  const { data, error, response } = await clientWithToken(token).functions.invoke(`metrics/${path}`, { method: "GET", headers });
  if (!error) return { status: response!.status, headers: response!.headers, body: data };
  if (!(error instanceof FunctionsHttpError)) throw error;
  const res = error.context as Response;
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
}

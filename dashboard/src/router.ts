// Hash routes (#/calls?start=2026-11-01&end=2026-11-30&provider=twilio), so a static host needs
// no rewrites and every view can be bookmarked.
export type Route = { page: string; params: URLSearchParams };

export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#\/?/, "");
  const [page = "", query = ""] = raw.split("?");
  return { page: page || "overview", params: new URLSearchParams(query) };
}

export function routeHref(page: string, params: Record<string, string | undefined | null> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  const s = q.toString();
  return `#/${page}${s ? `?${s}` : ""}`;
}

export function navigate(page: string, params: Record<string, string | undefined | null> = {}): void {
  location.hash = routeHref(page, params);
}

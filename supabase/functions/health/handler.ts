// GET /health: is the analytics pipeline healthy? 200 when it is, 503 with the reasons when not,
// so an uptime monitor can poll it. Admins and the service role get the whole report; the
// `monitor` role gets its summary (healthSummary).
import { authenticate, isAdmin, SERVICE_CALLER } from "../_shared/auth.ts";
import { asCaller } from "../_shared/db.ts";
import { ApiError, forbidden, notFound } from "../_shared/errors.ts";
import { json, routePath, serveHandler } from "../_shared/http.ts";
import { type HealthReport, healthSummary } from "./summary.ts";

export const handler = serveHandler(async (req) => {
  if (routePath(req) !== "/health") throw notFound("no such health endpoint");
  if (req.method !== "GET") throw new ApiError(405, "method_not_allowed", "use GET for /health", undefined, { allow: "GET" });
  const caller = await authenticate(req);
  const full = isAdmin(caller);
  if (!full && !(caller.kind === "user" && caller.appRole === "monitor")) {
    throw forbidden("health is for monitors, admins, superadmins and the service role");
  }

  const report = await asCaller(SERVICE_CALLER, async (tx) => {
    const [row] = await tx<{ report: HealthReport }[]>`select analytics.health_report() as report`;
    return row.report;
  });
  return json(full ? report : healthSummary(report), report.healthy ? 200 : 503, { "cache-control": "no-store" });
});

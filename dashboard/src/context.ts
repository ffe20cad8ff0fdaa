// What every view gets: the configuration, the signed-in session and an API client for it.
import type { MetricsApi } from "./api.ts";
import type { DashboardConfig } from "./config.ts";
import type { Session } from "./session.ts";

export type ViewContext = { config: DashboardConfig; session: Session; api: MetricsApi };

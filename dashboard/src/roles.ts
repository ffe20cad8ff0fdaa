// Which pages each application role sees (docs/design.md §3). The API enforces the same rules;
// this only keeps the navigation to what the role may open.
import type { AppRole } from "./session.ts";

export type PageKey = "overview" | "fulfillment" | "payments" | "calls" | "engagement" | "content" | "retention";

export const PAGE_TITLES: Record<PageKey, string> = {
  overview: "Overview",
  fulfillment: "Fulfillment",
  payments: "Payments",
  calls: "Calls",
  engagement: "Engagement",
  content: "Content",
  retention: "Retention",
};

const ALL: PageKey[] = ["overview", "fulfillment", "payments", "calls", "engagement", "content", "retention"];

export function pagesFor(role: AppRole | null): PageKey[] {
  switch (role) {
    case "superadmin":
    case "admin":
      return ALL;
    case "monitor":
      return ["overview", "calls", "content"];
    case "reader":
      return ["overview", "fulfillment"];
    default:
      return [];
  }
}

export const seesEtlStatus = (role: AppRole | null) => role === "admin" || role === "superadmin";

/** Readers see their own rows of the last 30 days only (RLS: metric_date >= current_date - 30). */
export const historyLimitDays = (role: AppRole | null): number | null => (role === "reader" ? 30 : null);

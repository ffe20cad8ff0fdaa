// What a monitor sees of the health report: the verdict, its reasons and what is running; not the
// checks' detail (job errors, cron messages, event counts per day).
export type HealthReport = {
  healthy: boolean;
  reasons: string[];
  checked_at: string;
  running: unknown[];
  checks: Record<string, unknown>;
  [key: string]: unknown;
};

const SUMMARY_KEYS = ["healthy", "reasons", "checked_at", "time_zone", "running"] as const;

export function healthSummary(report: HealthReport): Record<string, unknown> {
  return Object.fromEntries(SUMMARY_KEYS.filter((k) => k in report).map((k) => [k, report[k]]));
}

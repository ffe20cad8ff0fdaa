// The metrics tables behind the endpoints (docs/design.md §7): row fields in contract order (v2's
// numerators of the rates, §10.4, last), the
// dimensions rows are ordered by after the date (ascending, null = total rows last), the
// filters each accepts, and the application roles that may use it at all (RLS still decides rows).
import type { AppRole } from "../_shared/auth.ts";
import type { Filter } from "./params.ts";

export type MetricsTable = {
  table: string;
  dateColumn: "metric_date" | "cohort_date";
  columns: readonly string[];
  dimensions: readonly string[];
  filters: readonly Filter[];
  roles: readonly AppRole[];
  /** Overview section: the caller's total rows of one day ($1). */
  overviewWhere: string;
};

const ADMINS: readonly AppRole[] = ["admin", "superadmin"];

export const TABLES = {
  fulfillment: {
    table: "metrics_daily_fulfillment",
    dateColumn: "metric_date",
    columns: ["metric_date", "service_code", "reader_id", "orders_created", "orders_assigned", "orders_completed",
      "orders_cancelled", "approvals", "rejections", "approval_rate", "rejection_loop_rate", "ttf_response_avg_s",
      "ttf_response_p95_s", "ttf_delivery_avg_s", "ttf_delivery_p95_s", "ttf_approval_avg_s", "ttf_approval_p95_s"],
    dimensions: ["service_code", "reader_id"],
    filters: ["service_code", "reader_id"],
    roles: [...ADMINS, "reader"],
    // Admins: the grand total. Readers: their own all-services row.
    overviewWhere: "metric_date = $1::date and service_code is null and (reader_id is null or reader_id = auth.uid())",
  },
  payments: {
    table: "metrics_daily_payments",
    dateColumn: "metric_date",
    columns: ["metric_date", "provider", "country_code", "currency", "attempts", "fallback_attempts", "successes",
      "failures", "refunds", "success_rate", "fallback_rate", "refund_rate", "gross_cents", "refunded_cents",
      "revenue_cents", "avg_transaction_cents", "attempts_succeeded", "successes_refunded"],
    dimensions: ["provider", "country_code", "currency"],
    filters: ["provider", "country_code", "currency"],
    roles: ADMINS,
    overviewWhere: "metric_date = $1::date and provider is null and country_code is null",
  },
  calls: {
    table: "metrics_daily_calls",
    dateColumn: "metric_date",
    columns: ["metric_date", "service_code", "provider", "started", "answered", "completed", "dropped", "recorded",
      "answer_rate", "completion_rate", "drop_rate", "recording_rate", "duration_avg_s", "duration_p95_s",
      "started_answered", "answered_completed", "answered_dropped", "answered_recorded"],
    dimensions: ["service_code", "provider"],
    filters: ["service_code", "provider"],
    roles: [...ADMINS, "monitor"],
    overviewWhere: "metric_date = $1::date and service_code is null and provider is null",
  },
  engagement: {
    table: "metrics_daily_engagement",
    dateColumn: "metric_date",
    columns: ["metric_date", "dau", "wau", "mau", "notifications_sent", "notifications_delivered",
      "notifications_opened", "notifications_opted_out", "notification_ctr", "opt_out_rate", "listens",
      "listen_through_avg_pct", "delivered_opened", "users_sent", "users_sent_opted_out"],
    dimensions: [],
    filters: [],
    roles: ADMINS,
    overviewWhere: "metric_date = $1::date",
  },
  content: {
    table: "metrics_daily_content",
    dateColumn: "metric_date",
    columns: ["metric_date", "uploaded", "approved", "rejected", "published", "signs_published", "coverage_rate",
      "approval_rate", "approval_latency_avg_s", "approval_latency_p95_s"],
    dimensions: [],
    filters: [],
    roles: [...ADMINS, "monitor"],
    overviewWhere: "metric_date = $1::date",
  },
  "cohort-retention": {
    table: "metrics_cohort_retention",
    dateColumn: "cohort_date",
    columns: ["cohort_date", "retention_day", "cohort_size", "retained_users", "retention_rate"],
    dimensions: ["retention_day"],
    filters: [],
    roles: ADMINS,
    // Day-1/7/30 retention measured on the day (cohort_date + N = the day).
    overviewWhere: "cohort_date between $1::date - 30 and $1::date and cohort_date + retention_day = $1::date and retention_day in (1, 7, 30)",
  },
} as const satisfies Record<string, MetricsTable>;

export type TableName = keyof typeof TABLES;

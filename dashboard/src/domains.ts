// What the dashboard knows about each metrics endpoint (docs/design.md §7): its dimensions, filters,
// columns and how to format them, which KPIs get a tile and which series get a chart.
import type { ValueKind } from "./format/value.ts";

export type DomainKey = "fulfillment" | "payments" | "calls" | "engagement" | "content";

export type Column = {
  field: string;
  label: string;
  kind: ValueKind;
  /** Summable over days (event counts and money); other columns are not added up. */
  sum?: boolean;
  /** A rate recomputed for the totals row from summed counts: numerator / sum(denominators). */
  ratio?: { num: string; den: string[] };
  /** A mean over events, totalled as the mean weighted by the count of those events (exact). */
  weightedBy?: string[];
};

export type Filter = { param: string; label: string; adminOnly?: boolean; upper?: boolean; placeholder: string };

export type Chart = { title: string; kind: "rate" | "duration" | "count"; series: { field: string; label: string; scale?: number }[] };

export type Domain = {
  key: DomainKey;
  title: string;
  description: string;
  dims: string[];
  /** Dimension that splits totals (payments: currency; totals are never across currencies). */
  groupBy?: string;
  filters: Filter[];
  columns: Column[];
  tiles: string[];
  /** KPIs where a fall is good news (drop rate, refunds, durations): colours the tile's change. */
  lowerIsBetter?: string[];
  charts: Chart[];
};

const count = (field: string, label: string): Column => ({ field, label, kind: "count", sum: true });
const rate = (field: string, label: string, ratio?: Column["ratio"]): Column => ({ field, label, kind: "rate", ratio });
const duration = (field: string, label: string, weightedBy?: string[]): Column => ({ field, label, kind: "duration", weightedBy });

export const DOMAINS: Record<DomainKey, Domain> = {
  fulfillment: {
    key: "fulfillment",
    title: "Fulfillment",
    description: "Orders from creation to delivery: volumes, approvals and time to fulfil.",
    dims: ["service_code", "reader_id"],
    filters: [
      { param: "service_code", label: "Service", placeholder: "All services" },
      { param: "reader_id", label: "Reader id", adminOnly: true, placeholder: "All readers" },
    ],
    columns: [
      { field: "service_code", label: "Service", kind: "text" },
      { field: "reader_id", label: "Reader", kind: "text" },
      count("orders_created", "Created"),
      count("orders_assigned", "Assigned"),
      count("orders_completed", "Completed"),
      count("orders_cancelled", "Cancelled"),
      count("approvals", "Approved"),
      count("rejections", "Rejected"),
      rate("approval_rate", "Approval rate", { num: "approvals", den: ["approvals", "rejections"] }),
      rate("rejection_loop_rate", "Rejection loops"),
      duration("ttf_response_avg_s", "Response avg", ["orders_assigned"]),
      duration("ttf_response_p95_s", "Response p95"),
      duration("ttf_delivery_avg_s", "Delivery avg", ["orders_completed"]),
      duration("ttf_delivery_p95_s", "Delivery p95"),
      duration("ttf_approval_avg_s", "Approval avg", ["approvals", "rejections"]),
      duration("ttf_approval_p95_s", "Approval p95"),
    ],
    tiles: ["orders_created", "orders_completed", "approval_rate", "rejection_loop_rate", "ttf_response_p95_s", "ttf_delivery_p95_s"],
    lowerIsBetter: ["orders_cancelled", "rejections", "rejection_loop_rate", "ttf_response_p95_s", "ttf_delivery_p95_s", "ttf_approval_p95_s"],
    charts: [
      { title: "Approval and rejection-loop rates", kind: "rate", series: [{ field: "approval_rate", label: "Approval rate" }, { field: "rejection_loop_rate", label: "Rejection loops" }] },
      {
        title: "Time to fulfil (p95)",
        kind: "duration",
        series: [
          { field: "ttf_response_p95_s", label: "Response p95" },
          { field: "ttf_delivery_p95_s", label: "Delivery p95" },
          { field: "ttf_approval_p95_s", label: "Approval p95" },
        ],
      },
    ],
  },
  payments: {
    key: "payments",
    title: "Payments",
    description: "Payment success, fallbacks, refunds and revenue per provider, country and currency.",
    dims: ["provider", "country_code", "currency"],
    groupBy: "currency",
    filters: [
      { param: "provider", label: "Provider", placeholder: "All providers" },
      { param: "country_code", label: "Country", upper: true, placeholder: "e.g. DE" },
      { param: "currency", label: "Currency", upper: true, placeholder: "e.g. EUR" },
    ],
    columns: [
      { field: "provider", label: "Provider", kind: "text" },
      { field: "country_code", label: "Country", kind: "text" },
      { field: "currency", label: "Currency", kind: "text" },
      count("attempts", "Attempts"),
      count("fallback_attempts", "Fallbacks"),
      count("successes", "Succeeded"),
      count("failures", "Failed"),
      count("refunds", "Refunds"),
      rate("success_rate", "Success rate", { num: "attempts_succeeded", den: ["attempts"] }),
      rate("fallback_rate", "Fallback rate", { num: "fallback_attempts", den: ["attempts"] }),
      rate("refund_rate", "Refund rate", { num: "successes_refunded", den: ["successes"] }),
      { field: "gross_cents", label: "Gross", kind: "money", sum: true },
      { field: "refunded_cents", label: "Refunded", kind: "money", sum: true },
      { field: "revenue_cents", label: "Revenue", kind: "money", sum: true },
      { field: "avg_transaction_cents", label: "Avg transaction", kind: "money", ratio: { num: "gross_cents", den: ["successes"] } },
    ],
    tiles: ["revenue_cents", "attempts", "success_rate", "fallback_rate", "refund_rate", "avg_transaction_cents"],
    lowerIsBetter: ["failures", "fallback_rate", "refund_rate", "refunds"],
    charts: [
      {
        title: "Success, fallback and refund rates",
        kind: "rate",
        series: [
          { field: "success_rate", label: "Success rate" },
          { field: "fallback_rate", label: "Fallback rate" },
          { field: "refund_rate", label: "Refund rate" },
        ],
      },
    ],
  },
  calls: {
    key: "calls",
    title: "Calls",
    description: "Live call quality per service and telephony provider.",
    dims: ["service_code", "provider"],
    filters: [
      { param: "service_code", label: "Service", placeholder: "All services" },
      { param: "provider", label: "Provider", placeholder: "All providers" },
    ],
    columns: [
      { field: "service_code", label: "Service", kind: "text" },
      { field: "provider", label: "Provider", kind: "text" },
      count("started", "Started"),
      count("answered", "Answered"),
      count("completed", "Completed"),
      count("dropped", "Dropped"),
      count("recorded", "Recorded"),
      rate("answer_rate", "Answer rate", { num: "started_answered", den: ["started"] }),
      rate("completion_rate", "Completion rate", { num: "answered_completed", den: ["answered"] }),
      rate("drop_rate", "Drop rate", { num: "answered_dropped", den: ["answered"] }),
      rate("recording_rate", "Recording rate", { num: "answered_recorded", den: ["answered"] }),
      duration("duration_avg_s", "Duration avg", ["completed"]),
      duration("duration_p95_s", "Duration p95"),
    ],
    tiles: ["started", "answer_rate", "completion_rate", "drop_rate", "recording_rate", "duration_p95_s"],
    lowerIsBetter: ["dropped", "drop_rate"],
    charts: [
      {
        title: "Answer, completion, drop and recording rates",
        kind: "rate",
        series: [
          { field: "answer_rate", label: "Answer" },
          { field: "completion_rate", label: "Completion" },
          { field: "drop_rate", label: "Drop" },
          { field: "recording_rate", label: "Recording" },
        ],
      },
      { title: "Call duration", kind: "duration", series: [{ field: "duration_p95_s", label: "p95" }, { field: "duration_avg_s", label: "Average" }] },
    ],
  },
  engagement: {
    key: "engagement",
    title: "Engagement",
    description: "Active users, notification funnel and horoscope listening.",
    dims: [],
    filters: [],
    columns: [
      { field: "dau", label: "DAU", kind: "count" },
      { field: "wau", label: "WAU", kind: "count" },
      { field: "mau", label: "MAU", kind: "count" },
      count("notifications_sent", "Sent"),
      count("notifications_delivered", "Delivered"),
      count("notifications_opened", "Opened"),
      count("notifications_opted_out", "Opted out"),
      rate("notification_ctr", "Notification CTR", { num: "delivered_opened", den: ["notifications_delivered"] }),
      rate("opt_out_rate", "Opt-out rate"), // distinct users per day: no exact total over days
      count("listens", "Listens"),
      { field: "listen_through_avg_pct", label: "Listen-through", kind: "percent", weightedBy: ["listens"] },
    ],
    tiles: ["dau", "wau", "mau", "notification_ctr", "opt_out_rate", "listen_through_avg_pct"],
    lowerIsBetter: ["opt_out_rate", "notifications_opted_out"],
    charts: [
      { title: "Active users", kind: "count", series: [{ field: "dau", label: "DAU" }, { field: "wau", label: "WAU" }, { field: "mau", label: "MAU" }] },
      {
        title: "Notification and listening rates",
        kind: "rate",
        series: [
          { field: "notification_ctr", label: "Notification CTR" },
          { field: "opt_out_rate", label: "Opt-out rate" },
          { field: "listen_through_avg_pct", label: "Listen-through", scale: 0.01 },
        ],
      },
    ],
  },
  content: {
    key: "content",
    title: "Content",
    description: "Daily horoscopes: uploads, moderation and zodiac coverage.",
    dims: [],
    filters: [],
    columns: [
      count("uploaded", "Uploaded"),
      count("approved", "Approved"),
      count("rejected", "Rejected"),
      count("published", "Published"),
      { field: "signs_published", label: "Signs published", kind: "count" },
      rate("coverage_rate", "Coverage"),
      rate("approval_rate", "Approval rate", { num: "approved", den: ["approved", "rejected"] }),
      duration("approval_latency_avg_s", "Approval latency avg", ["approved"]),
      duration("approval_latency_p95_s", "Approval latency p95"),
    ],
    tiles: ["published", "coverage_rate", "approval_rate", "approval_latency_p95_s"],
    lowerIsBetter: ["rejected", "approval_latency_avg_s", "approval_latency_p95_s"],
    charts: [
      { title: "Coverage and approval rates", kind: "rate", series: [{ field: "coverage_rate", label: "Zodiac coverage" }, { field: "approval_rate", label: "Approval rate" }] },
      { title: "Approval latency", kind: "duration", series: [{ field: "approval_latency_p95_s", label: "p95" }, { field: "approval_latency_avg_s", label: "Average" }] },
    ],
  },
};

export const columnOf = (domain: Domain, field: string): Column | undefined => domain.columns.find((c) => c.field === field);

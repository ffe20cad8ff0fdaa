// The event catalog as TypeScript types for application code (mirror of public.event_schema_versions;
// tests/ingest/emitter.test.ts fails if the two drift apart). `userInitiated`: the event shows the
// user doing something, so it makes them active (DAU/WAU/MAU, cohorts; DESIGN.md §10.2).
import { newEventId } from "./event-id.ts";

export const EVENT_CATALOG = {
  order_created: { domain: "orders", userInitiated: true, required: ["entity_id", "user_id", "service_code"] },
  order_assigned: { domain: "orders", userInitiated: false, required: ["entity_id", "service_code"] },
  order_submitted: { domain: "orders", userInitiated: false, required: ["entity_id", "service_code"] },
  order_approved: { domain: "orders", userInitiated: false, required: ["entity_id", "service_code"] },
  order_rejected: { domain: "orders", userInitiated: false, required: ["entity_id", "service_code"] },
  order_completed: { domain: "orders", userInitiated: false, required: ["entity_id", "service_code"] },
  order_cancelled: { domain: "orders", userInitiated: false, required: ["entity_id", "service_code"] },
  payment_attempted: { domain: "payments", userInitiated: true, required: ["entity_id", "provider", "country_code", "amount_cents", "currency"] },
  payment_succeeded: { domain: "payments", userInitiated: false, required: ["entity_id", "provider", "country_code", "amount_cents", "currency"] },
  payment_failed: { domain: "payments", userInitiated: false, required: ["entity_id", "provider", "country_code", "currency"] },
  refund_issued: { domain: "payments", userInitiated: false, required: ["entity_id", "provider", "country_code", "amount_cents", "currency"] },
  call_started: { domain: "calls", userInitiated: true, required: ["entity_id", "service_code", "provider"] },
  call_answered: { domain: "calls", userInitiated: false, required: ["entity_id", "service_code", "provider"] },
  call_ended: { domain: "calls", userInitiated: false, required: ["entity_id", "service_code", "provider", "duration_seconds"] },
  call_dropped: { domain: "calls", userInitiated: false, required: ["entity_id", "service_code", "provider"] },
  notification_sent: { domain: "notifications", userInitiated: false, required: ["entity_id", "user_id"] },
  notification_delivered: { domain: "notifications", userInitiated: false, required: ["entity_id", "user_id"] },
  notification_opened: { domain: "notifications", userInitiated: true, required: ["entity_id", "user_id"] },
  notification_opted_out: { domain: "notifications", userInitiated: true, required: ["user_id"] },
  content_flagged: { domain: "moderation", userInitiated: true, required: ["entity_type", "entity_id"] },
  moderation_decision: { domain: "moderation", userInitiated: false, required: ["entity_type", "entity_id", "status"] },
  appeal_submitted: { domain: "moderation", userInitiated: true, required: ["entity_type", "entity_id", "user_id"] },
  horoscope_uploaded: { domain: "content", userInitiated: false, required: ["entity_id"] },
  horoscope_approved: { domain: "content", userInitiated: false, required: ["entity_id"] },
  horoscope_rejected: { domain: "content", userInitiated: false, required: ["entity_id"] },
  horoscope_published: { domain: "content", userInitiated: false, required: ["entity_id"] },
  horoscope_listened: { domain: "content", userInitiated: true, required: ["entity_id", "user_id"] },
} as const;

export type EventType = keyof typeof EVENT_CATALOG;
export type EventDomain = (typeof EVENT_CATALOG)[EventType]["domain"];

export type ZodiacSign =
  | "aries" | "taurus" | "gemini" | "cancer" | "leo" | "virgo"
  | "libra" | "scorpio" | "sagittarius" | "capricorn" | "aquarius" | "pisces";

/** Flat metadata: scalars only, no personal data (the ingest function rejects PII). */
export type Metadata = Record<string, string | number | boolean | null>;

/** Metadata keys the catalog declares for a type (the KPIs read them). */
type KnownMetadata = {
  order_assigned: { reader_id: string };
  payment_attempted: { is_fallback?: boolean };
  call_ended: { recorded?: boolean };
  horoscope_uploaded: { zodiac_sign: ZodiacSign };
  horoscope_approved: { zodiac_sign: ZodiacSign };
  horoscope_rejected: { zodiac_sign: ZodiacSign };
  horoscope_published: { zodiac_sign: ZodiacSign };
  horoscope_listened: { zodiac_sign?: ZodiacSign; listen_percent: number };
  moderation_decision: Metadata;
};

export type EventFieldValues = {
  event_id: string;
  /** ISO 8601 with offset; defaults to now. */
  event_timestamp: string;
  user_id: string;
  entity_type: string;
  entity_id: string;
  status: string;
  provider: string;
  service_code: string;
  country_code: string;
  amount_cents: number;
  currency: string;
  duration_seconds: number;
  request_id: string;
};

type RequiredOf<T extends EventType> = (typeof EVENT_CATALOG)[T]["required"][number];
type MetadataOf<T extends EventType> = T extends keyof KnownMetadata ? KnownMetadata[T] & Metadata : Metadata;
type HasRequiredMetadata<T extends EventType> = T extends keyof KnownMetadata
  ? {} extends KnownMetadata[T] ? false : true
  : false;

/** The fields application code passes for an event of type T: the catalog's required ones are required. */
export type EventFields<T extends EventType> =
  & Pick<EventFieldValues, RequiredOf<T>>
  & Partial<Omit<EventFieldValues, RequiredOf<T>>>
  & (HasRequiredMetadata<T> extends true ? { metadata: MetadataOf<T> } : { metadata?: MetadataOf<T> })
  & (T extends "moderation_decision" ? { status: "approved" | "rejected" } : unknown);

/** What goes over the wire. */
export type AnalyticsEvent = Partial<EventFieldValues> & {
  event_id: string;
  event_domain: EventDomain;
  event_type: EventType;
  event_timestamp: string;
  metadata?: Metadata;
};

/** Builds a catalog-typed event with a fresh event_id (so retries are deduplicated) and a timestamp. */
export function buildEvent<T extends EventType>(type: T, fields: EventFields<T>): AnalyticsEvent {
  return {
    event_id: newEventId(),
    event_timestamp: new Date().toISOString(),
    ...(fields as Partial<EventFieldValues> & { metadata?: Metadata }),
    event_domain: EVENT_CATALOG[type].domain,
    event_type: type,
  };
}

// The event shape the generator emits: exactly the columns of public.events_raw that a client sends.
export type GeneratedEvent = {
  event_id: string;
  event_domain: "orders" | "payments" | "calls" | "notifications" | "moderation" | "content";
  event_type: string;
  /** ISO 8601 UTC with milliseconds. */
  event_timestamp: string;
  user_id: string | null;
  entity_type: string | null;
  entity_id: string | null;
  status: string | null;
  provider: string | null;
  service_code: string | null;
  country_code: string | null;
  amount_cents: number | null;
  currency: string | null;
  duration_seconds: number | null;
  request_id: string | null;
  metadata: Record<string, string | number | boolean>;
};

export const DAY_MS = 86_400_000;

/** Fills the optional columns with null. */
export function makeEvent(
  e: Pick<GeneratedEvent, "event_id" | "event_domain" | "event_type" | "event_timestamp"> & Partial<GeneratedEvent>,
): GeneratedEvent {
  return {
    user_id: null, entity_type: null, entity_id: null, status: null, provider: null, service_code: null,
    country_code: null, amount_cents: null, currency: null, duration_seconds: null, request_id: null, metadata: {},
    ...e,
  };
}

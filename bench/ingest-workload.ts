// The ingest benchmark's workload: independent, valid events across all six domains in a fixed mix,
// each for a user drawn at random from 5,000. Deterministic for a given seed; timestamps fall
// 1..2 days before `now` so they pass ingestion's window; every event carries request_id = marker
// so it can be cleaned up. Not lib/generator's lifecycles: those group a user's events into the same
// batches and use another mix, which would change what the benchmark has measured so far.
import { createRng } from "../lib/generator/rng.ts";
import type { GeneratedEvent } from "../lib/generator/types.ts";

/** The generator's event shape, with the benchmark's cleanup marker always set. */
export type SyntheticEvent = Omit<GeneratedEvent, "event_domain" | "request_id"> & { event_domain: string; request_id: string };

type Meta = Record<string, string | number | boolean>;
const NO_META: Meta = {};

const SIGNS = ["aries", "taurus", "gemini", "cancer", "leo", "virgo", "libra", "scorpio", "sagittarius", "capricorn", "aquarius", "pisces"];
const SERVICES = ["tarot_reading", "coffee_cup", "astrology_chart", "dream_interpretation", "healing_session"];
const CALL_SERVICES = ["live_call", "video_call"];
const PAY_MARKETS: [string, string][] = [["SA", "SAR"], ["AE", "AED"], ["KW", "KWD"], ["EG", "EGP"], ["US", "USD"], ["GB", "GBP"]];
const PAY_PROVIDERS = ["stripe", "square", "tap", "paypal"];
const CALL_PROVIDERS = ["twilio", "agora"];
const PUSH_PROVIDERS = ["fcm", "apns"];

type Draft = Omit<SyntheticEvent, "event_id" | "event_timestamp" | "request_id" | "user_id" | "entity_type" | "entity_id" | "status" | "provider" | "service_code" | "country_code" | "amount_cents" | "currency" | "duration_seconds" | "metadata"> & Partial<SyntheticEvent>;

export function ingestWorkload(n: number, opts: { seed?: number; marker: string; now?: number }): SyntheticEvent[] {
  const rng = createRng(opts.seed ?? 42);
  const rand = rng.next;
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
  const users = Array.from({ length: 5000 }, () => rng.uuid());
  const readers = Array.from({ length: 50 }, () => rng.uuid());
  const now = opts.now ?? Date.now();
  const dayMs = 24 * 3600 * 1000;

  const domains: [number, () => Draft][] = [
    [0.3, () => {
      const type = pick(["order_created", "order_assigned", "order_submitted", "order_approved", "order_rejected", "order_completed", "order_cancelled"]);
      return { event_domain: "orders", event_type: type, entity_type: "order", entity_id: `ord-${Math.floor(rand() * 1e7)}`, service_code: pick(SERVICES), metadata: type === "order_assigned" ? { reader_id: pick(readers) } : NO_META };
    }],
    [0.2, () => {
      const type = pick(["payment_attempted", "payment_attempted", "payment_succeeded", "payment_failed", "refund_issued"]);
      const [country_code, currency] = pick(PAY_MARKETS);
      return { event_domain: "payments", event_type: type, entity_type: "payment", entity_id: `pay-${Math.floor(rand() * 1e7)}`, provider: pick(PAY_PROVIDERS), country_code, currency, amount_cents: 500 + Math.floor(rand() * 50_000), metadata: type === "payment_attempted" ? { is_fallback: rand() < 0.1 } : NO_META };
    }],
    [0.15, () => {
      const type = pick(["call_started", "call_answered", "call_ended", "call_dropped"]);
      return { event_domain: "calls", event_type: type, entity_type: "call", entity_id: `call-${Math.floor(rand() * 1e7)}`, service_code: pick(CALL_SERVICES), provider: pick(CALL_PROVIDERS), duration_seconds: type === "call_ended" ? Math.floor(rand() * 3600) : null, metadata: type === "call_ended" ? { recorded: rand() < 0.4 } : NO_META };
    }],
    [0.2, () => ({ event_domain: "notifications", event_type: pick(["notification_sent", "notification_delivered", "notification_opened", "notification_opted_out"]), entity_type: "notification", entity_id: `ntf-${Math.floor(rand() * 1e7)}`, provider: pick(PUSH_PROVIDERS), metadata: { campaign: pick(["daily_horoscope", "order_update", "promo"]) } })],
    [0.03, () => {
      const type = pick(["content_flagged", "moderation_decision", "appeal_submitted"]);
      return { event_domain: "moderation", event_type: type, entity_type: pick(["review", "reading", "message"]), entity_id: `mod-${Math.floor(rand() * 1e6)}`, status: type === "moderation_decision" ? pick(["approved", "rejected"]) : null, metadata: {} };
    }],
    [0.12, () => {
      const type = pick(["horoscope_uploaded", "horoscope_approved", "horoscope_rejected", "horoscope_published", "horoscope_listened", "horoscope_listened", "horoscope_listened"]);
      const sign = pick(SIGNS);
      return { event_domain: "content", event_type: type, entity_type: "horoscope", entity_id: `hor-${sign}-${Math.floor(rand() * 1000)}`, metadata: type === "horoscope_listened" ? { zodiac_sign: sign, listen_percent: Math.floor(rand() * 101) } : { zodiac_sign: sign } as Meta };
    }],
  ];

  const events: SyntheticEvent[] = [];
  for (let i = 0; i < n; i++) {
    let r = rand();
    let make = domains[domains.length - 1][1];
    for (const [weight, fn] of domains) {
      if (r < weight) {
        make = fn;
        break;
      }
      r -= weight;
    }
    const d = make();
    events.push({
      event_id: rng.uuid(),
      event_timestamp: new Date(now - dayMs - Math.floor(rand() * dayMs)).toISOString(),
      user_id: pick(users),
      entity_type: null, entity_id: null, status: null, provider: null, service_code: null, country_code: null,
      amount_cents: null, currency: null, duration_seconds: null, metadata: {},
      ...d,
      request_id: opts.marker,
    } as SyntheticEvent);
  }
  return events;
}

// Payment lifecycle: attempted → succeeded or failed; a failure often retries on a fallback provider
// (metadata.is_fallback true); some successes are refunded later (possibly another day).
import { HOUR, MINUTE } from "./context.ts";
import type { DayContext } from "./context.ts";
import type { GeneratedEvent } from "./types.ts";
import { COUNTRIES, PAYMENT_PROVIDERS } from "./catalog.ts";

export function paymentLifecycle(ctx: DayContext, t0: number): void {
  const { rng } = ctx;
  const user = ctx.user();
  const [country, currency] = rng.pick(COUNTRIES);
  const amount = rng.int(5, 150) * 100 + rng.pick([0, 0, 50, 99]);
  let provider = rng.pick(PAYMENT_PROVIDERS);
  let t = t0;
  for (let attempt = 0; attempt < 2; attempt++) {
    const payment = rng.uuid();
    const base = {
      event_domain: "payments" as const, entity_type: "payment", entity_id: payment, user_id: user,
      provider, country_code: country, currency, amount_cents: amount,
    };
    const metadata: GeneratedEvent["metadata"] = attempt > 0 ? { is_fallback: true } : rng.chance(0.3) ? { is_fallback: false } : {};
    ctx.emit(t, { ...base, event_type: "payment_attempted", metadata });
    t += rng.int(1, 30_000);
    if (rng.chance(attempt > 0 ? 0.75 : 0.85)) {
      ctx.emit(t, { ...base, event_type: "payment_succeeded" });
      if (rng.chance(0.07)) ctx.emit(t + rng.int(1, 72) * HOUR, { ...base, event_type: "refund_issued" });
      return;
    }
    ctx.emit(t, { ...base, event_type: "payment_failed" });
    if (!rng.chance(0.6)) return;
    provider = rng.pick(PAYMENT_PROVIDERS.filter((p) => p !== provider));
    t += rng.int(1, 5) * MINUTE;
  }
}

// Call lifecycle: started → answered (or unanswered) → ended (duration, sometimes recorded) or dropped.
import type { DayContext } from "./context.ts";
import type { GeneratedEvent } from "./types.ts";
import { CALL_PROVIDERS, SERVICES } from "./catalog.ts";

export function callLifecycle(ctx: DayContext, t0: number): void {
  const { rng } = ctx;
  const base = {
    event_domain: "calls" as const, entity_type: "call", entity_id: rng.uuid(), user_id: ctx.user(),
    service_code: rng.pick(SERVICES), provider: rng.pick(CALL_PROVIDERS),
  };
  ctx.emit(t0, { ...base, event_type: "call_started" });
  if (!rng.chance(0.8)) return; // unanswered
  const answeredAt = t0 + rng.int(2_000, 45_000);
  ctx.emit(answeredAt, { ...base, event_type: "call_answered" });
  const duration = rng.int(30, 3600);
  if (rng.chance(0.1)) {
    ctx.emit(answeredAt + rng.int(5, duration) * 1000, { ...base, event_type: "call_dropped" });
    return;
  }
  const metadata: GeneratedEvent["metadata"] = rng.chance(0.4) ? { recorded: true } : rng.chance(0.5) ? { recorded: false } : {};
  ctx.emit(answeredAt + duration * 1000, { ...base, event_type: "call_ended", duration_seconds: duration, metadata });
}

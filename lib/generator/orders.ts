// Order lifecycle: created → assigned (sometimes reassigned) → submitted → approved, or rejected and
// resubmitted (loops) → completed; some are cancelled on the way. Long waits make many cross midnight.
import { HOUR, MINUTE } from "./context.ts";
import type { DayContext } from "./context.ts";
import { SERVICES } from "./catalog.ts";

export function orderLifecycle(ctx: DayContext, t0: number): void {
  const { rng } = ctx;
  const order = rng.uuid();
  const user = ctx.user();
  const service = rng.pick(SERVICES);
  const base = { event_domain: "orders" as const, entity_type: "order", entity_id: order, service_code: service };
  let t = t0;
  ctx.emit(t, { ...base, event_type: "order_created", user_id: user });
  if (rng.chance(0.05)) return ctx.emit(t + rng.int(1, 120) * MINUTE, { ...base, event_type: "order_cancelled", user_id: user });

  t += rng.int(2, 360) * MINUTE + rng.int(0, 59_999);
  let reader = rng.pick(ctx.readers);
  ctx.emit(t, { ...base, event_type: "order_assigned", metadata: { reader_id: reader } });
  if (rng.chance(0.1)) {
    t += rng.int(10, 240) * MINUTE;
    reader = rng.pick(ctx.readers);
    ctx.emit(t, { ...base, event_type: "order_assigned", metadata: { reader_id: reader } });
  }
  if (rng.chance(0.04)) return ctx.emit(t + rng.int(5, 600) * MINUTE, { ...base, event_type: "order_cancelled", user_id: user });

  for (let round = 0; round < 4; round++) {
    t += rng.int(10, round === 0 ? 20 * 60 : 180) * MINUTE + rng.int(0, 59_999);
    ctx.emit(t, { ...base, event_type: "order_submitted" });
    t += rng.int(5, 180) * MINUTE + rng.int(0, 59_999);
    if (round === 3 || rng.chance(0.72)) {
      ctx.emit(t, { ...base, event_type: "order_approved" });
      t += rng.int(1, 60) * MINUTE;
      ctx.emit(t, { ...base, event_type: "order_completed", user_id: user });
      return;
    }
    ctx.emit(t, { ...base, event_type: "order_rejected" });
    if (rng.chance(0.05)) return ctx.emit(t + HOUR, { ...base, event_type: "order_cancelled", user_id: user });
  }
}

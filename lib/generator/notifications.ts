// Notification funnel: sent → delivered → opened; a few users opt out. The system sends, so the
// recipient is any member, never one of the day's newcomers (their first day is a day they act).
import { MINUTE } from "./context.ts";
import type { DayContext } from "./context.ts";
import { NOTIFICATION_PROVIDERS } from "./catalog.ts";

export function notificationLifecycle(ctx: DayContext, t0: number): void {
  const { rng } = ctx;
  const user = ctx.member();
  const base = {
    event_domain: "notifications" as const, entity_type: "notification", entity_id: rng.uuid(), user_id: user,
    provider: rng.pick(NOTIFICATION_PROVIDERS),
  };
  ctx.emit(t0, { ...base, event_type: "notification_sent" });
  if (!rng.chance(0.92)) return;
  const delivered = t0 + rng.int(200, 60_000);
  ctx.emit(delivered, { ...base, event_type: "notification_delivered" });
  if (rng.chance(0.27)) ctx.emit(delivered + rng.int(1, 600) * MINUTE, { ...base, event_type: "notification_opened" });
  if (rng.chance(0.02)) {
    ctx.emit(delivered + rng.int(1, 120) * MINUTE, {
      ...base, event_type: "notification_opted_out",
    });
  }
}

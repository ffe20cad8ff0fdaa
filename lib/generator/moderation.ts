// Moderation: content flagged → decision (approved/rejected) → sometimes an appeal. Feeds activity only.
import { HOUR } from "./context.ts";
import type { DayContext } from "./context.ts";

export function moderationLifecycle(ctx: DayContext, t0: number): void {
  const { rng } = ctx;
  const base = { event_domain: "moderation" as const, entity_type: rng.pick(["review", "comment"]), entity_id: rng.uuid() };
  const user = ctx.user();
  ctx.emit(t0, { ...base, event_type: "content_flagged", user_id: user });
  const decidedAt = t0 + rng.int(1, 12) * HOUR;
  const status = rng.chance(0.6) ? "approved" : "rejected";
  ctx.emit(decidedAt, { ...base, event_type: "moderation_decision", status });
  if (status === "rejected" && rng.chance(0.3)) ctx.emit(decidedAt + rng.int(1, 24) * HOUR, { ...base, event_type: "appeal_submitted", user_id: user });
}

// Daily horoscopes: each sign's text is uploaded the evening before or early on the day, rejected and
// re-uploaded sometimes, approved, then published; users listen with a listen_percent.
import { HOUR, MINUTE } from "./context.ts";
import type { DayContext } from "./context.ts";
import { ZODIAC_SIGNS } from "./catalog.ts";

export function horoscopeLifecycles(ctx: DayContext): void {
  const { rng } = ctx;
  for (const sign of ZODIAC_SIGNS) {
    if (rng.chance(0.06)) continue; // a sign missing today: coverage < 1
    const base = { event_domain: "content" as const, entity_type: "horoscope", entity_id: rng.uuid(), metadata: { zodiac_sign: sign } };
    let t = ctx.dayStart - rng.int(0, 6 * 60) * MINUTE;
    for (let round = 0; round < 3; round++) {
      ctx.emit(t, { ...base, event_type: "horoscope_uploaded" });
      t += rng.int(5, 120) * MINUTE + rng.int(0, 59_999);
      if (round < 2 && rng.chance(0.2)) {
        ctx.emit(t, { ...base, event_type: "horoscope_rejected" });
        t += rng.int(10, 90) * MINUTE;
        continue;
      }
      ctx.emit(t, { ...base, event_type: "horoscope_approved" });
      ctx.emit(Math.max(t + MINUTE, ctx.dayStart + 5 * HOUR + rng.int(0, 3600_000)), { ...base, event_type: "horoscope_published" });
      break;
    }
  }
}

export function listen(ctx: DayContext, t0: number): void {
  const { rng } = ctx;
  const sign = rng.pick(ZODIAC_SIGNS);
  ctx.emit(t0, {
    event_domain: "content", event_type: "horoscope_listened", entity_type: "horoscope", entity_id: `${sign}-daily`,
    user_id: ctx.user(), metadata: { zodiac_sign: sign, listen_percent: rng.chance(0.4) ? 100 : rng.int(0, 100) },
  });
}

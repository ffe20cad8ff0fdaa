// Event ids as RFC 9562 UUIDv7: 48 bits of Unix milliseconds first, so ids sort by creation time
// and events_raw's primary key index grows at its right edge instead of splitting random pages.
// Layout: unix_ts_ms (48) | ver 0111 (4) | counter (12) | var 10 (2) | counter (30) | random (32).
// The 42-bit counter (RFC 9562 §6.2, method 1) keeps ids of one source strictly increasing within a
// millisecond: it starts at a random value below 2^41 each new millisecond (so ids of different
// sources stay unguessable and unlikely to meet) and counts up within it; a clock that steps back
// keeps the last timestamp. The 32 random bits keep two sources' ids apart when they collide on
// both timestamp and counter.

/** Where the bits come from; tests pass their own. */
export type EventIdSource = { now: () => number; randomBytes: (n: number) => Uint8Array };

const COUNTER_MAX = 2 ** 42 - 1;
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

const systemSource: EventIdSource = {
  now: () => Date.now(),
  randomBytes: (n) => crypto.getRandomValues(new Uint8Array(n)),
};

/** A generator of monotonic UUIDv7 strings over `source`. */
export function createEventIdGenerator(source: EventIdSource = systemSource): () => string {
  let lastMs = -1;
  let counter = 0;
  const reseed = () => {
    const r = source.randomBytes(6);
    // 41 bits: at least 2^41 increments of headroom within the millisecond.
    counter = (r[0] & 0x01) * 2 ** 40 + r[1] * 2 ** 32 + ((r[2] << 24) >>> 0) + (r[3] << 16) + (r[4] << 8) + r[5];
  };
  return () => {
    const now = Math.floor(source.now());
    if (now > lastMs) {
      lastMs = now;
      reseed();
    } else if (counter < COUNTER_MAX) {
      counter++;
    } else {
      // The counter ran out within one millisecond: borrow the next one.
      lastMs++;
      reseed();
    }
    return format(lastMs, counter, source.randomBytes(4));
  };
}

function format(ms: number, counter: number, tail: Uint8Array): string {
  const b = new Array<number>(16);
  for (let i = 0; i < 6; i++) b[i] = Math.floor(ms / 2 ** (8 * (5 - i))) % 256;
  const high = Math.floor(counter / 2 ** 24); // 18 bits: 12 in rand_a, 6 after the variant
  const low = counter % 2 ** 24;
  b[6] = 0x70 | ((high >>> 14) & 0x0f);
  b[7] = (high >>> 6) & 0xff;
  b[8] = 0x80 | (high & 0x3f);
  b[9] = (low >>> 16) & 0xff;
  b[10] = (low >>> 8) & 0xff;
  b[11] = low & 0xff;
  for (let i = 0; i < 4; i++) b[12 + i] = tail[i];
  const h = b.map((x) => HEX[x]);
  return `${h[0]}${h[1]}${h[2]}${h[3]}-${h[4]}${h[5]}-${h[6]}${h[7]}-${h[8]}${h[9]}-${h[10]}${h[11]}${h[12]}${h[13]}${h[14]}${h[15]}`;
}

/** A fresh event id: a UUIDv7, increasing across the calls of this process (or page). */
export const newEventId: () => string = createEventIdGenerator();

// The scale benchmark's workload: a day of any size made of copies of one generated day
// (lib/generator: realistic lifecycles over all domains, shuffled as from many clients), each copy
// under its own user, entity and event ids, encoded batch by batch as it is sent. Only the
// template day is held in memory; the generator itself would take a core of this 2-core machine
// away from the server under test (bench/README.md, "Scale").
import { newEventId } from "../client/event-id.ts";
import { streamEvents } from "../lib/generator/index.ts";

/** Events of the generated template day (its user pool: one user per five events, the generator's default). */
export const TEMPLATE_EVENTS = 200_000;

// A uuid field of an encoded event: its first 8 hex digits are what a copy changes.
const UUID_FIELD = /"(event_id|user_id|entity_id)":"([0-9a-f]{8})(-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"/g;

/** Copy `copy` of a template uuid: the first 32 bits xor a per-copy constant (odd multiplier: a distinct one per copy). */
function copiedUuid(head: string, rest: string, copy: number): string {
  return (((parseInt(head, 16) ^ Math.imul(copy + 1, 0x9e3779b1)) >>> 0).toString(16).padStart(8, "0")) + rest;
}

/** The id each sent event carries: a new one as the emitters make it (UUIDv7, client/event-id.ts). */
function sentEventId(): string {
  return newEventId();
}

export type ScaleWorkload = {
  /** The next request body (`batch` events or fewer at the end), or undefined when all `total` are out. */
  next(): Buffer | undefined;
  /** Events handed out so far. */
  readonly handedOut: number;
};

/**
 * `total` events on the UTC day `day`, shifted by `shiftMs` (to the reporting time zone's local
 * day), every one with `request_id = marker`, in bodies of `batch` events.
 */
export function scaleWorkload(opts: {
  total: number; batch: number; day: string; shiftMs: number; marker: string; seed: number;
  /** Events of the template day (tests use a small one). */
  templateEvents?: number;
}): ScaleWorkload {
  const size = Math.min(opts.total, opts.templateEvents ?? TEMPLATE_EVENTS);
  const template: string[] = [];
  for (const e of streamEvents({ days: 1, eventsPerDay: size, exact: true, shuffle: true, seed: opts.seed, endDate: opts.day })) {
    const at = new Date(Date.parse(e.event_timestamp) + opts.shiftMs).toISOString();
    template.push(JSON.stringify({ ...e, event_timestamp: at, request_id: opts.marker }));
  }
  let handedOut = 0;
  return {
    get handedOut() {
      return handedOut;
    },
    next() {
      if (handedOut >= opts.total) return undefined;
      const copy = Math.floor(handedOut / size);
      const start = handedOut % size;
      const end = Math.min(size, start + opts.batch, start + opts.total - handedOut);
      const parts = new Array<string>(end - start);
      for (let i = start; i < end; i++) {
        parts[i - start] = template[i].replace(UUID_FIELD, (_, field: string, head: string, rest: string) =>
          `"${field}":"${field === "event_id" ? sentEventId() : copiedUuid(head, rest, copy)}"`);
      }
      handedOut += end - start;
      return Buffer.from(`{"events":[${parts.join(",")}]}`);
    },
  };
}

// Where the emitter keeps the events it has not delivered yet. The emitter always holds its queue
// in memory as well; a store only has to remember it across a restart. Every method may return a
// promise (an async store: IndexedDB, Redis, ...) or act synchronously (the file store, so that an
// event is on disk when emit() returns).
import type { AnalyticsEvent } from "./event-catalog.ts";

export interface QueueStore {
  /** True when what it holds outlives the process: close() then leaves undelivered events for the next start instead of dropping them. */
  readonly persistent: boolean;
  /** The events a previous process left undelivered; called once, when the emitter starts. */
  load(): AnalyticsEvent[] | Promise<AnalyticsEvent[]>;
  /** Remembers newly queued events. */
  append(events: AnalyticsEvent[]): void | Promise<void>;
  /** Forgets events that were stored by the function or dropped for good. */
  remove(eventIds: string[]): void | Promise<void>;
  /** Releases the store (files, locks); called by the emitter's close(). */
  close?(): void | Promise<void>;
}

/** The default: nothing outlives the process (the emitter's own queue is the memory). */
export class MemoryQueueStore implements QueueStore {
  readonly persistent = false;
  load(): AnalyticsEvent[] {
    return [];
  }
  append(): void {}
  remove(): void {}
}

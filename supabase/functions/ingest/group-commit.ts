// Group commit: an isolate keeps at most MAX_WRITES write transactions in flight. A batch that
// arrives while they are all busy waits, and when one ends, the waiting batches of one writer go
// to the database together: one transaction, one erased-user check, one COPY and one commit instead
// of one each (insert-events.ts storeBatches; a refused COPY is retried batch by batch). Under a
// light load no batch waits and each is written alone, as before; under a heavy one the database
// gets fewer, larger transactions, the cheaper way to take the same events (bench/history.md,
// Ingest). Batches are grouped only with the same writer (role and JWT claims): the transaction
// runs as that writer.
import type { ParsedEvent } from "../_shared/event-schema.ts";
import { storeBatches, storeEvents } from "./insert-events.ts";
import type { InTransaction } from "./insert-events.ts";

/** Write transactions an isolate keeps in flight; two keep the database busy while one commits. */
export const MAX_WRITES = 2;
/** The most events one group writes (ten full batches of the emitters). */
export const MAX_GROUP_EVENTS = 5_000;

type Waiting = {
  writer: string;
  inTransaction: InTransaction;
  events: ParsedEvent[];
  resolve: (stored: number) => void;
  reject: (err: unknown) => void;
};

export class GroupCommit {
  #inFlight = 0;
  #waiting: Waiting[] = [];

  constructor(readonly maxWrites = MAX_WRITES, readonly maxGroupEvents = MAX_GROUP_EVENTS) {}

  /** Stores one batch as `writer` (a key naming the role and claims `inTransaction` runs with). */
  store(writer: string, inTransaction: InTransaction, events: ParsedEvent[]): Promise<number> {
    if (this.#inFlight < this.maxWrites && this.#waiting.length === 0) {
      this.#inFlight++;
      return storeEvents(inTransaction, events).finally(() => this.#ended());
    }
    return new Promise((resolve, reject) => {
      this.#waiting.push({ writer, inTransaction, events, resolve, reject });
    });
  }

  #ended(): void {
    this.#inFlight--;
    while (this.#inFlight < this.maxWrites && this.#waiting.length) {
      const group = this.#nextGroup();
      this.#inFlight++;
      void this.#write(group).finally(() => this.#ended());
    }
  }

  /** The oldest waiting batch and the next ones of its writer, up to maxGroupEvents. */
  #nextGroup(): Waiting[] {
    const first = this.#waiting.shift()!;
    const group = [first];
    let events = first.events.length;
    this.#waiting = this.#waiting.filter((w) => {
      if (w.writer !== first.writer || events + w.events.length > this.maxGroupEvents) return true;
      group.push(w);
      events += w.events.length;
      return false;
    });
    return group;
  }

  async #write(group: Waiting[]): Promise<void> {
    try {
      const outcomes = await storeBatches(group[0].inTransaction, group.map((w) => w.events));
      outcomes.forEach((o, i) => (o.status === "fulfilled" ? group[i].resolve(o.value) : group[i].reject(o.reason)));
    } catch (err) {
      for (const w of group) w.reject(err);
    }
  }
}

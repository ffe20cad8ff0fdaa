// Typed analytics emitter for application code (the TypeScript counterpart of the spec's
// emit_analytics_event), built to lose nothing it can keep:
// - batches events (500, or every 2 s) and sends a batch until the ingest function has it;
// - a 400 invalid_events (or 403) names the bad events by details[].index: only those are dropped
//   and reported, the valid rest is sent again at once;
// - 429, 5xx, 408, 401 (a token function may hand out a fresh token) and network errors are retried
//   with exponential backoff and jitter, honouring Retry-After; after maxRetries the events stay
//   queued for the next flush;
// - a 413 splits the batch in halves;
// - the queue can outlive the process (a QueueStore: memory by default, client/file-queue-store.ts
//   for Node backends); close() flushes, bounded by a timeout; client/node-shutdown.ts calls it on
//   SIGTERM, SIGINT and beforeExit.
// Sending again is safe: every event carries its event_id and the function stores each id once.
// Never throws into the caller: what it cannot deliver goes to onError. Uses only fetch: Node 20+,
// Deno, edge functions and current browsers (AbortSignal.any).
import { buildEvent } from "./event-catalog.ts";
import type { AnalyticsEvent, EventFields, EventType } from "./event-catalog.ts";
import { MemoryQueueStore } from "./queue-store.ts";
import type { QueueStore } from "./queue-store.ts";

export type EmitterError = {
  /** HTTP status, or null when no response came (network error, timeout) or nothing was sent. */
  status: number | null;
  code: string;
  message: string;
  /** The function's details; for rejected events each `index` is the event's position in `events`. */
  details?: unknown;
  /** The events concerned. */
  events: AnalyticsEvent[];
  /** True: these events are gone for good. False: they stay queued and are sent again later. */
  dropped: boolean;
};

export type EmitterOptions = {
  /** Full URL of the ingest function, e.g. https://<ref>.supabase.co/functions/v1/ingest. */
  url: string;
  /** Service key (sb_secret_... or service_role JWT) or a user access token; a function for rotating tokens. */
  token: string | (() => string | Promise<string>);
  /** Events per request (at most 1000, the function's limit). */
  batchSize?: number;
  /** Sends what is queued this often; 0: only when a batch is full or on flush(). */
  flushIntervalMs?: number;
  /** Retries of one batch before its events wait for the next flush. */
  maxRetries?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** One request's time limit. */
  timeoutMs?: number;
  /** How long close() may take by default; then what is left stays in a persistent store or is reported dropped. */
  closeTimeoutMs?: number;
  /** Events waiting at most; beyond it new events are dropped and reported. */
  maxQueue?: number;
  /** Where undelivered events are kept (default: memory only). */
  store?: QueueStore;
  onError?: (error: EmitterError) => void;
  fetch?: typeof fetch;
};

type Settings = Required<Omit<EmitterOptions, "onError" | "fetch" | "store">>;

const DEFAULTS = {
  batchSize: 500,
  flushIntervalMs: 2000,
  maxRetries: 5,
  baseDelayMs: 250,
  maxDelayMs: 30_000,
  timeoutMs: 30_000,
  closeTimeoutMs: 10_000,
  maxQueue: 50_000,
};

const MAX_BATCH = 1000;

type Failure = Pick<EmitterError, "status" | "code" | "message" | "details">;
type Detail = { index?: unknown; path?: string; message?: string };

/** What one request achieved. */
type Outcome =
  | { kind: "stored" }
  | { kind: "rejected"; failure: Failure; bad: Map<number, Detail[]> }
  | { kind: "too_large" }
  | { kind: "retry"; failure: Failure; retryAfterMs: number | null }
  | { kind: "refused"; failure: Failure };

const RETRYABLE = (status: number) => status === 401 || status === 408 || status === 425 || status === 429 || status >= 500;

/** Retry-After in seconds or as an HTTP date; null when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | null {
  if (header === null || header.trim() === "") return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : null;
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** The events a 400/403 names by index (every detail must name one), or null when it names none. */
function namedEvents(status: number, failure: Failure, count: number): Map<number, Detail[]> | null {
  if (status !== 400 && status !== 403) return null;
  const details = failure.details;
  if (!Array.isArray(details) || details.length === 0) return null;
  const bad = new Map<number, Detail[]>();
  for (const d of details as Detail[]) {
    if (!Number.isInteger(d?.index) || (d.index as number) < 0 || (d.index as number) >= count) return null;
    bad.set(d.index as number, [...(bad.get(d.index as number) ?? []), d]);
  }
  return bad;
}

async function readFailure(res: Response): Promise<Failure> {
  const payload = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string; details?: unknown } } | null;
  return {
    status: res.status,
    code: payload?.error?.code ?? `http_${res.status}`,
    message: payload?.error?.message ?? res.statusText,
    details: payload?.error?.details,
  };
}

const ids = (events: AnalyticsEvent[]) => events.map((e) => e.event_id);

function unrefTimer(timer: unknown) {
  const deno = (globalThis as { Deno?: { unrefTimer?: (id: number) => void } }).Deno;
  if (typeof timer === "number" && deno?.unrefTimer) deno.unrefTimer(timer);
  else (timer as { unref?: () => void }).unref?.();
}

export class AnalyticsEmitter {
  private readonly opts: Settings;
  private readonly onError: EmitterOptions["onError"];
  private readonly fetchFn: typeof fetch;
  private readonly store: QueueStore;
  private queue: AnalyticsEvent[] = [];
  /** Events taken from the queue by a send that has not finished. */
  private sending = 0;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly restored: Promise<void>;
  private storeTail: Promise<void> | null = null;
  /** Aborted when close() runs out of time: sleeps end, requests are cancelled. */
  private readonly stopping = new AbortController();
  private timer: unknown;
  private closed = false;
  private closing: Promise<void> | undefined;

  constructor(options: EmitterOptions) {
    const { onError, fetch: fetchFn, store, ...settings } = options;
    this.opts = { ...DEFAULTS, ...settings };
    this.opts.batchSize = Math.min(Math.max(1, this.opts.batchSize), MAX_BATCH);
    this.onError = onError;
    this.fetchFn = fetchFn ?? ((...args) => fetch(...args));
    this.store = store ?? new MemoryQueueStore();
    this.restored = this.restore();
    if (this.opts.flushIntervalMs > 0) {
      this.timer = setInterval(() => void this.flush(), this.opts.flushIntervalMs);
      unrefTimer(this.timer);
    }
  }

  /** Queues one catalog-typed event. Never throws; returns the event_id (or null if it was dropped). */
  emit<T extends EventType>(type: T, fields: EventFields<T>): string | null {
    let event: AnalyticsEvent;
    try {
      event = buildEvent(type, fields);
    } catch (err) {
      this.report({ status: null, code: "emit_failed", message: String(err), events: [], dropped: true });
      return null;
    }
    if (this.closed) {
      this.report({ status: null, code: "emitter_closed", message: "emit after close()", events: [event], dropped: true });
      return null;
    }
    if (this.pending >= this.opts.maxQueue) {
      this.report({ status: null, code: "queue_full", message: `more than ${this.opts.maxQueue} events waiting`, events: [event], dropped: true });
      return null;
    }
    this.queue.push(event);
    this.storeOp(() => this.store.append([event]));
    if (this.queue.length >= this.opts.batchSize) void this.flush();
    return event.event_id;
  }

  /**
   * Sends everything queued so far and waits for it (and for sends already running). Events that
   * could not be delivered within maxRetries stay queued for the next flush. Never rejects.
   */
  async flush(): Promise<void> {
    await this.restored;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.opts.batchSize);
      this.sending += batch.length;
      const send: Promise<void> = this.deliver(batch).finally(() => {
        this.sending -= batch.length;
        this.inFlight.delete(send);
      });
      this.inFlight.add(send);
    }
    await Promise.all([...this.inFlight]);
    await this.storeTail;
  }

  /**
   * Stops the interval timer and flushes, for at most `timeoutMs`. What is still undelivered then
   * stays in a persistent store for the next start (reported with dropped: false), or is reported
   * dropped. Later emit() calls are refused. Never rejects.
   */
  close(options: { timeoutMs?: number } = {}): Promise<void> {
    this.closed = true;
    if (this.timer !== undefined) clearInterval(this.timer as number);
    this.closing ??= this.shutDown(options.timeoutMs ?? this.opts.closeTimeoutMs);
    return this.closing;
  }

  /** Events not delivered yet: queued, or in a request that has not finished. */
  get pending(): number {
    return this.queue.length + this.sending;
  }

  private async shutDown(timeoutMs: number): Promise<void> {
    const deadline = setTimeout(() => this.stopping.abort(), timeoutMs);
    await this.flush();
    clearTimeout(deadline);
    const left = this.queue.splice(0);
    if (left.length > 0) {
      const kept = this.store.persistent;
      this.report({
        status: null,
        code: kept ? "kept_for_next_start" : "emitter_closed",
        message: kept ? "not delivered before close(): kept in the store for the next start" : "not delivered before close()",
        events: left,
        dropped: !kept,
      });
    }
    await this.storeTail;
    try {
      await this.store.close?.();
    } catch (err) {
      this.storeFailed(err);
    }
  }

  /** Puts what a previous process left in the store in front of the queue. */
  private async restore(): Promise<void> {
    try {
      const loaded = await this.store.load();
      const queued = new Set(ids(this.queue));
      this.queue.unshift(...loaded.filter((e) => !queued.has(e.event_id)));
    } catch (err) {
      this.storeFailed(err);
    }
  }

  /** Sends one batch until every event in it is stored, dropped for good, or put back in the queue. */
  private async deliver(batch: AnalyticsEvent[]): Promise<void> {
    let events = batch;
    const finished: string[] = [];
    for (let attempt = 0; events.length > 0; ) {
      const outcome = await this.post(events);
      if (outcome.kind === "stored") {
        finished.push(...ids(events));
        break;
      }
      if (outcome.kind === "too_large") {
        const half = Math.ceil(events.length / 2);
        await this.deliver(events.slice(0, half));
        await this.deliver(events.slice(half));
        break;
      }
      if (outcome.kind === "rejected") {
        const positions = [...outcome.bad.keys()].sort((a, b) => a - b);
        const rejected = positions.map((i) => events[i]);
        const details = positions.flatMap((i, index) => outcome.bad.get(i)!.map((d) => ({ ...d, index })));
        this.report({ ...outcome.failure, details, events: rejected, dropped: true });
        finished.push(...ids(rejected));
        events = events.filter((_, i) => !outcome.bad.has(i));
        continue; // the valid rest, at once
      }
      if (outcome.kind === "refused") {
        this.report({ ...outcome.failure, events, dropped: true });
        finished.push(...ids(events));
        break;
      }
      if (attempt >= this.opts.maxRetries || this.stopping.signal.aborted) {
        // Out of time at close(): close() reports what is left, once.
        if (!this.stopping.signal.aborted) this.report({ ...outcome.failure, events, dropped: false });
        this.queue.unshift(...events);
        break;
      }
      await this.sleep(this.backoff(attempt++, outcome.retryAfterMs));
    }
    if (finished.length > 0) this.storeOp(() => this.store.remove(finished));
  }

  private async post(events: AnalyticsEvent[]): Promise<Outcome> {
    let res: Response;
    try {
      const token = typeof this.opts.token === "function" ? await this.opts.token() : this.opts.token;
      res = await this.fetchFn(this.opts.url, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ events }),
        signal: AbortSignal.any([this.stopping.signal, AbortSignal.timeout(this.opts.timeoutMs)]),
      });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      return { kind: "retry", failure: { status: null, code: "network_error", message }, retryAfterMs: null };
    }
    if (res.ok) {
      await res.body?.cancel();
      return { kind: "stored" };
    }
    const failure = await readFailure(res);
    if (res.status === 413 && events.length > 1) return { kind: "too_large" };
    const bad = namedEvents(res.status, failure, events.length);
    if (bad) return { kind: "rejected", failure, bad };
    if (RETRYABLE(res.status)) return { kind: "retry", failure, retryAfterMs: retryAfterMs(res.headers.get("retry-after")) };
    return { kind: "refused", failure };
  }

  /** Exponential backoff with jitter (half to all of the step), never sooner than Retry-After. */
  private backoff(attempt: number, retryAfter: number | null): number {
    const step = Math.min(this.opts.maxDelayMs, this.opts.baseDelayMs * 2 ** attempt);
    const jittered = step / 2 + Math.random() * (step / 2);
    return retryAfter === null ? jittered : Math.max(retryAfter, jittered);
  }

  /** A sleep that close() can cut short. */
  private sleep(ms: number): Promise<void> {
    const signal = this.stopping.signal;
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener("abort", done);
    });
  }

  /** Runs store operations in order: at once while none is pending (a synchronous store writes before emit() returns), else after the last. */
  private storeOp(op: () => void | Promise<void>): void {
    const run = (): Promise<void> | undefined => {
      try {
        const result = op();
        return result ? Promise.resolve(result).catch((err) => this.storeFailed(err)) : undefined;
      } catch (err) {
        this.storeFailed(err);
        return undefined;
      }
    };
    const next = this.storeTail ? this.storeTail.then(run) : run();
    if (!next) return;
    const tail: Promise<void> = next.then(() => {
      if (this.storeTail === tail) this.storeTail = null;
    });
    this.storeTail = tail;
  }

  private storeFailed(err: unknown) {
    this.report({ status: null, code: "store_failed", message: err instanceof Error ? err.message : String(err), events: [], dropped: false });
  }

  private report(error: EmitterError) {
    try {
      this.onError?.(error);
    } catch {
      // A failing error handler must not break the caller either.
    }
  }
}

export const createAnalyticsEmitter = (options: EmitterOptions) => new AnalyticsEmitter(options);

/** One-call form for request paths: queue the event on an emitter; never throws. */
export function emitAnalyticsEvent<T extends EventType>(emitter: AnalyticsEmitter, type: T, fields: EventFields<T>): string | null {
  return emitter.emit(type, fields);
}

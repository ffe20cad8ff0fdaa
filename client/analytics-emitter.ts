// Typed analytics emitter for application code (the TypeScript counterpart of the spec's
// emit_analytics_event). Batches events, retries with exponential backoff and jitter on 429
// (honouring Retry-After), 5xx and network errors — safe because every event carries its
// event_id — and never throws into the caller: failures go to onError. Uses only fetch, so it
// runs unchanged in Node 18+, Deno and edge functions.
import { buildEvent } from "./event-catalog.ts";
import type { AnalyticsEvent, EventFields, EventType } from "./event-catalog.ts";

export type EmitterError = {
  /** HTTP status, or null for a network error / give-up after retries. */
  status: number | null;
  code: string;
  message: string;
  details?: unknown;
  /** The events that were not stored. */
  events: AnalyticsEvent[];
};

export type EmitterOptions = {
  /** Full URL of the ingest function, e.g. https://<ref>.supabase.co/functions/v1/ingest. */
  url: string;
  /** Service key (sb_secret_... or service_role JWT) or a user access token; a function for rotating tokens. */
  token: string | (() => string | Promise<string>);
  batchSize?: number;
  flushIntervalMs?: number;
  maxRetries?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Events kept in memory at most; beyond it new events are dropped and reported. */
  maxQueue?: number;
  onError?: (error: EmitterError) => void;
  fetch?: typeof fetch;
};

type Required_<T> = { [K in keyof T]-?: T[K] };

const DEFAULTS = {
  batchSize: 500,
  flushIntervalMs: 2000,
  maxRetries: 5,
  baseDelayMs: 250,
  maxDelayMs: 30_000,
  maxQueue: 50_000,
};

const MAX_BATCH = 1000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function unrefTimer(timer: unknown) {
  const deno = (globalThis as { Deno?: { unrefTimer?: (id: number) => void } }).Deno;
  if (typeof timer === "number" && deno?.unrefTimer) deno.unrefTimer(timer);
  else (timer as { unref?: () => void }).unref?.();
}

export class AnalyticsEmitter {
  private readonly opts: Required_<Omit<EmitterOptions, "onError" | "fetch">> & Pick<EmitterOptions, "onError">;
  private readonly fetchFn: typeof fetch;
  private queue: AnalyticsEvent[] = [];
  private inFlight = new Set<Promise<void>>();
  private timer: unknown;
  private closed = false;

  constructor(options: EmitterOptions) {
    this.opts = { ...DEFAULTS, ...options };
    this.opts.batchSize = Math.min(Math.max(1, this.opts.batchSize), MAX_BATCH);
    this.fetchFn = options.fetch ?? ((...args) => fetch(...args));
    if (this.opts.flushIntervalMs > 0) {
      this.timer = setInterval(() => void this.flush(), this.opts.flushIntervalMs);
      unrefTimer(this.timer);
    }
  }

  /** Queues one catalog-typed event. Never throws; returns the event_id (or null if it was dropped). */
  emit<T extends EventType>(type: T, fields: EventFields<T>): string | null {
    try {
      const event = buildEvent(type, fields);
      if (this.closed) {
        this.report({ status: null, code: "emitter_closed", message: "emit after close()", events: [event] });
        return null;
      }
      if (this.queue.length >= this.opts.maxQueue) {
        this.report({ status: null, code: "queue_full", message: `more than ${this.opts.maxQueue} events queued`, events: [event] });
        return null;
      }
      this.queue.push(event);
      if (this.queue.length >= this.opts.batchSize) void this.flush();
      return event.event_id;
    } catch (err) {
      this.report({ status: null, code: "emit_failed", message: String(err), events: [] });
      return null;
    }
  }

  /** Sends everything queued so far and waits for it (and for sends already running). Never rejects. */
  async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.opts.batchSize);
      const send = this.sendWithRetries(batch).finally(() => this.inFlight.delete(send));
      this.inFlight.add(send);
    }
    await Promise.all([...this.inFlight]);
  }

  /** Flushes and stops the interval timer. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer !== undefined) clearInterval(this.timer as number);
    await this.flush();
  }

  get pending(): number {
    return this.queue.length;
  }

  private report(error: EmitterError) {
    try {
      this.opts.onError?.(error);
    } catch {
      // A failing error handler must not break the caller either.
    }
  }

  private backoff(attempt: number, retryAfterS: number | null): number {
    const cap = Math.min(this.opts.maxDelayMs, this.opts.baseDelayMs * 2 ** attempt);
    const jittered = cap / 2 + Math.random() * (cap / 2);
    return retryAfterS === null ? jittered : Math.max(retryAfterS * 1000, jittered);
  }

  private async sendWithRetries(events: AnalyticsEvent[]): Promise<void> {
    const body = JSON.stringify({ events });
    let last: EmitterError = { status: null, code: "not_sent", message: "not sent", events };
    for (let attempt = 0; attempt <= this.opts.maxRetries; attempt++) {
      let retryAfterS: number | null = null;
      try {
        const token = typeof this.opts.token === "function" ? await this.opts.token() : this.opts.token;
        const res = await this.fetchFn(this.opts.url, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
          body,
        });
        if (res.ok) {
          await res.body?.cancel();
          return;
        }
        const payload = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string; details?: unknown } } | null;
        last = {
          status: res.status,
          code: payload?.error?.code ?? `http_${res.status}`,
          message: payload?.error?.message ?? res.statusText,
          details: payload?.error?.details,
          events,
        };
        const retryable = res.status === 429 || res.status >= 500;
        if (!retryable) break;
        const header = Number(res.headers.get("retry-after"));
        retryAfterS = Number.isFinite(header) && header >= 0 ? header : null;
      } catch (err) {
        last = { status: null, code: "network_error", message: err instanceof Error ? err.message : String(err), events };
      }
      if (attempt < this.opts.maxRetries) await sleep(this.backoff(attempt, retryAfterS));
    }
    this.report(last);
  }
}

export const createAnalyticsEmitter = (options: EmitterOptions) => new AnalyticsEmitter(options);

/** One-call form for request paths: queue the event on an emitter; never throws. */
export function emitAnalyticsEvent<T extends EventType>(emitter: AnalyticsEmitter, type: T, fields: EventFields<T>): string | null {
  return emitter.emit(type, fields);
}

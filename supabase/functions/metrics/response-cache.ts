// An in-isolate LRU cache of finished metrics responses (body + ETag), bounded by total size
// and entry count, with a TTL as a safety net. It knows nothing about keys: callers put into the
// key everything the answer depends on (endpoint, params, format, caller identity, UTC day, data
// versions), so an entry is only ever reused for an identical question about identical data.
import { byteLength } from "../_shared/bytes.ts";
import { env } from "../_shared/env.ts";

/** A finished response: its body as the UTF-8 chunks it was made of (a hit neither re-encodes nor joins megabytes). */
export type CachedResponse = { chunks: readonly Uint8Array[]; contentType: string; etag: string };

export type CacheLimits = {
  /** Sum of body bytes and key lengths kept at most. */
  maxBytes: number;
  maxEntries: number;
  ttlMs: number;
};

/** METRICS_CACHE_MB (default 64; 0 turns the cache off), METRICS_CACHE_ENTRIES (1000), METRICS_CACHE_TTL_S (300). */
export function cacheLimitsFromEnv(): CacheLimits {
  const num = (name: string, fallback: number) => {
    const n = Number(env(name) ?? fallback);
    return Number.isFinite(n) && n >= 0 ? n : fallback;
  };
  return {
    maxBytes: num("METRICS_CACHE_MB", 64) * 1024 * 1024,
    maxEntries: num("METRICS_CACHE_ENTRIES", 1000),
    ttlMs: num("METRICS_CACHE_TTL_S", 300) * 1000,
  };
}

type Entry = { value: CachedResponse; size: number; expiresAt: number };

export class ResponseCache {
  #entries = new Map<string, Entry>(); // insertion order = least recently used first
  #bytes = 0;

  constructor(readonly limits: CacheLimits, private readonly now: () => number = Date.now) {}

  /** False when the limits leave no room (the cache is turned off). */
  get enabled(): boolean {
    return this.limits.maxEntries >= 1 && this.limits.maxBytes > 0 && this.limits.ttlMs > 0;
  }

  get size(): number {
    return this.#entries.size;
  }

  get bytes(): number {
    return this.#bytes;
  }

  get(key: string): CachedResponse | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    this.#delete(key, entry);
    if (entry.expiresAt <= this.now()) return undefined;
    this.#entries.set(key, entry); // most recently used
    this.#bytes += entry.size;
    return entry.value;
  }

  /** Stores a response; one larger than a quarter of the budget is not kept (it would evict too much). */
  set(key: string, value: CachedResponse): void {
    const old = this.#entries.get(key);
    if (old) this.#delete(key, old);
    const size = key.length + byteLength(value.chunks);
    if (!this.enabled || size > this.limits.maxBytes / 4) return;
    this.#entries.set(key, { value, size, expiresAt: this.now() + this.limits.ttlMs });
    this.#bytes += size;
    for (const [k, e] of this.#entries) {
      if (this.#bytes <= this.limits.maxBytes && this.#entries.size <= this.limits.maxEntries) break;
      this.#delete(k, e);
    }
  }

  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
  }

  #delete(key: string, entry: Entry): void {
    this.#entries.delete(key);
    this.#bytes -= entry.size;
  }
}

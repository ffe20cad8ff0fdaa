// An answer's rows as the query delivers them (table-query.ts: a day at a time). An answer whose
// query ends before STREAM_AFTER_BYTES of rows have arrived is answered whole, as a small answer
// always is. A larger one is sent on as it arrives, so that Postgres reading and sending it, this
// function passing the bytes on and the client reading them overlap instead of following one
// another. Once its status is sent, a response cannot report an error any more: it is cut off
// instead, so the client sees an incomplete body, never a complete-looking wrong one.

/** Rows that have arrived before the query ended, in bytes, from which an answer is streamed. */
export const STREAM_AFTER_BYTES = 256 * 1024;

const COMMA = new TextEncoder().encode(",");

export class ArrivingRows {
  /** Every chunk of rows so far (comma-joined within a chunk, not between chunks). */
  readonly chunks: Uint8Array[] = [];
  #bytes = 0;
  #many?: () => void;
  #out?: ReadableStreamDefaultController<Uint8Array>;

  /** The endpoint's RowsSink. */
  readonly add = (items: Uint8Array): void => {
    this.chunks.push(items);
    this.#bytes += items.byteLength;
    if (this.#out) this.#send(this.chunks.length > 1 ? [COMMA, items] : [items]);
    else if (this.#bytes >= STREAM_AFTER_BYTES) this.#many?.();
  };

  /** True once STREAM_AFTER_BYTES have arrived before `query` settled; false when it settled first, also by failing. */
  manyBefore(query: Promise<unknown>): Promise<boolean> {
    return new Promise((resolve) => {
      this.#many = () => resolve(true);
      query.then(() => resolve(false), () => resolve(false));
    });
  }

  /** The rows comma-joined, as the answer holds them. */
  joined(): Uint8Array[] {
    return this.chunks.flatMap((c, i) => (i === 0 ? [c] : [COMMA, c]));
  }

  /**
   * A body of `head`, the rows so far and those still to come, then the bytes `tail` resolves to
   * once the query has ended. When `tail` fails, the body fails: the response is cut off.
   */
  stream(head: Uint8Array, tail: Promise<Uint8Array>): ReadableStream<Uint8Array> {
    return new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.#out = controller;
        this.#send([head, ...this.joined()]);
        tail.then((t) => this.#end(t), (err) => this.#end(err instanceof Error ? err : new Error(String(err))));
      },
      cancel: () => {
        this.#out = undefined; // the client went away; the query still ends and the answer is cached
      },
    });
  }

  #send(parts: Uint8Array[]): void {
    for (const p of parts) this.#out?.enqueue(p);
  }

  #end(last: Uint8Array | Error): void {
    const out = this.#out;
    this.#out = undefined;
    if (!out) return;
    if (last instanceof Error) out.error(last);
    else {
      out.enqueue(last);
      out.close();
    }
  }
}

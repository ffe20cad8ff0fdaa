// An answer's rows as the query delivers them (table-query.ts: a day at a time). An answer whose
// query ends before STREAM_AFTER_BYTES of rows have arrived is answered whole, as a small answer
// always is. A larger one is sent on as it arrives, so that Postgres reading and sending it, this
// function passing the bytes on and the client reading them overlap instead of following one
// another. Once its status is sent, a response cannot report an error any more: it is cut off
// instead, so the client sees an incomplete body, never a complete-looking wrong one.
import { joinChunks } from "../_shared/bytes.ts";

/** Rows that have arrived before the query ended, in bytes, from which an answer is streamed. */
export const STREAM_AFTER_BYTES = 256 * 1024;
/** Smaller days are gathered into blocks of this size: a body of many small chunks costs a write each. */
export const BLOCK_BYTES = 16 * 1024;

export class ArrivingRows {
  /** The rows so far as the answer holds them (comma-joined), in blocks of at least BLOCK_BYTES. */
  readonly #blocks: Uint8Array[] = [];
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  #bytes = 0;
  #many?: () => void;
  #out?: ReadableStreamDefaultController<Uint8Array>;

  /** The endpoint's RowsSink: the rows' JSON continuing the answer (every chunk but the first begins with a comma). */
  readonly add = (items: Uint8Array): void => {
    this.#bytes += items.byteLength;
    if (items.byteLength >= BLOCK_BYTES) {
      this.#flush();
      this.#block(items);
    } else {
      this.#pending.push(items);
      this.#pendingBytes += items.byteLength;
      if (this.#pendingBytes >= BLOCK_BYTES) this.#flush();
    }
    if (!this.#out && this.#bytes >= STREAM_AFTER_BYTES) this.#many?.();
  };

  /** True once STREAM_AFTER_BYTES have arrived before `query` settled; false when it settled first, also by failing. */
  manyBefore(query: Promise<unknown>): Promise<boolean> {
    return new Promise((resolve) => {
      this.#many = () => resolve(true);
      query.then(() => resolve(false), () => resolve(false));
    });
  }

  /** Every row so far, comma-joined, in blocks. */
  all(): Uint8Array[] {
    this.#flush();
    return [...this.#blocks];
  }

  /**
   * A body of `head`, the rows so far and those still to come, then the bytes `tail` resolves to
   * once the query has ended. When `tail` fails, the body fails: the response is cut off.
   */
  stream(head: Uint8Array, tail: Promise<Uint8Array>): ReadableStream<Uint8Array> {
    return new ReadableStream<Uint8Array>({
      start: (controller) => {
        controller.enqueue(head);
        for (const b of this.#blocks) controller.enqueue(b);
        this.#out = controller;
        tail.then((t) => this.#end(t), (err) => this.#end(err instanceof Error ? err : new Error(String(err))));
      },
      cancel: () => {
        this.#out = undefined; // the client went away; the query still ends and the answer is cached
      },
    });
  }

  #flush(): void {
    if (this.#pending.length === 0) return;
    const block = this.#pending.length === 1 ? this.#pending[0] : joinChunks(this.#pending, this.#pendingBytes);
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#block(block);
  }

  #block(block: Uint8Array): void {
    this.#blocks.push(block);
    this.#out?.enqueue(block);
  }

  #end(last: Uint8Array | Error): void {
    if (!(last instanceof Error)) this.#flush();
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

// Unit tests of a large answer sent as its rows arrive (arriving-rows.ts, respond.ts sendArriving),
// imported straight from the function's modules: the bytes sent are the rows in order, comma-joined
// between the head and the tail; a query that fails after the status was sent cuts the body off and
// caches nothing; a client that goes away does not stop the answer from being cached whole.
import { describe, expect, it } from "vitest";
import { ArrivingRows, BLOCK_BYTES, STREAM_AFTER_BYTES } from "../../supabase/functions/metrics/arriving-rows.ts";
import type { Output } from "../../supabase/functions/metrics/endpoints.ts";
import type { CachedResponse } from "../../supabase/functions/metrics/response-cache.ts";
import { sendArriving } from "../../supabase/functions/metrics/respond.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const bytes = (s: string) => encoder.encode(s);

/** A query whose end the test decides. */
function pendingQuery() {
  let end!: (o: Output) => void;
  let fail!: (e: Error) => void;
  const promise = new Promise<Output>((resolve, reject) => {
    end = resolve;
    fail = reject;
  });
  return { promise, end, fail };
}

async function readAll(body: ReadableStream<Uint8Array>): Promise<{ text: string; error?: unknown }> {
  const reader = body.getReader();
  let text = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { text };
      text += decoder.decode(value);
    }
  } catch (error) {
    return { text, error };
  }
}

describe("ArrivingRows", () => {
  it("sends the head, the rows so far and those still to come, comma-joined, then the tail", async () => {
    const rows = new ArrivingRows();
    rows.add(bytes('{"a":1}'));
    rows.add(bytes(',{"a":2},{"a":3}'));
    let endTail!: (t: Uint8Array) => void;
    const body = rows.stream(bytes("["), new Promise((resolve) => (endTail = resolve)));
    rows.add(bytes(',{"a":4}'));
    endTail(bytes("]"));
    const { text, error } = await readAll(body);
    expect(error).toBeUndefined();
    expect(JSON.parse(text)).toEqual([1, 2, 3, 4].map((a) => ({ a })));
    expect(rows.all().map((c) => decoder.decode(c)).join("")).toBe('{"a":1},{"a":2},{"a":3},{"a":4}');
  });

  it("gathers small days into blocks and passes large ones on as they are", () => {
    const rows = new ArrivingRows();
    const small = new Uint8Array(BLOCK_BYTES / 4 + 1);
    const large = new Uint8Array(BLOCK_BYTES);
    for (const items of [small, small, small, small, large, small]) rows.add(items);
    const blocks = rows.all();
    expect(blocks.map((b) => b.byteLength)).toEqual([4 * small.byteLength, BLOCK_BYTES, small.byteLength]);
    expect(blocks[1]).toBe(large);
  });

  it("cuts the body off when the tail fails", async () => {
    const rows = new ArrivingRows();
    rows.add(bytes('{"a":1}'));
    const body = rows.stream(bytes("["), Promise.reject(new Error("connection lost")));
    const { text, error } = await readAll(body);
    // A stream that fails drops what it had queued: the client gets a prefix, then the error.
    expect('[{"a":1}'.startsWith(text)).toBe(true);
    expect(String(error)).toContain("connection lost");
  });

  it("says whether many rows arrived before the query ended", async () => {
    const small = new ArrivingRows();
    const q1 = pendingQuery();
    const answer1 = small.manyBefore(q1.promise);
    small.add(new Uint8Array(STREAM_AFTER_BYTES - 1));
    q1.end({ kind: "rows", columns: [], rowCount: 1 });
    expect(await answer1).toBe(false);

    const failed = new ArrivingRows();
    const q2 = pendingQuery();
    const answer2 = failed.manyBefore(q2.promise);
    q2.fail(new Error("permission denied"));
    expect(await answer2).toBe(false);

    const large = new ArrivingRows();
    const q3 = pendingQuery();
    const answer3 = large.manyBefore(q3.promise);
    large.add(new Uint8Array(STREAM_AFTER_BYTES / 2));
    large.add(new Uint8Array(STREAM_AFTER_BYTES / 2));
    expect(await answer3).toBe(true);
  });
});

describe("sendArriving", () => {
  const zones = { time_zone: "Asia/Riyadh", other_time_zones: [] };
  const request = (headers: Record<string, string> = {}) => new Request("http://functions.test/metrics/fulfillment", { headers });

  it("streams the answer and caches the same bytes once the query has ended", async () => {
    const rows = new ArrivingRows();
    const query = pendingQuery();
    rows.add(bytes('{"n":1}'));
    const cached: CachedResponse[] = [];
    const res = await sendArriving(request(), "fulfillment", { start_date: "2009-01-01" }, query.promise, rows, zones, "key-1",
      (rep) => cached.push(rep));
    expect(res.status).toBe(200);
    expect(res.headers.get("x-cache")).toBe("miss");
    rows.add(bytes(',{"n":2}'));
    query.end({ kind: "rows", columns: ["n"], rowCount: 2 });
    const { text, error } = await readAll(res.body!);
    expect(error).toBeUndefined();
    const answer = JSON.parse(text);
    expect(answer.data).toEqual([{ n: 1 }, { n: 2 }]);
    expect(answer.meta).toMatchObject({ endpoint: "fulfillment", row_count: 2, time_zone: "Asia/Riyadh" });
    await Promise.resolve();
    expect(cached.length).toBe(1);
    expect(cached[0].chunks.map((c) => decoder.decode(c)).join("")).toBe(text);
    expect(cached[0].etag).toBe(res.headers.get("etag"));
  });

  it("caches nothing when the query fails after the status was sent", async () => {
    const rows = new ArrivingRows();
    const query = pendingQuery();
    rows.add(bytes('{"n":1}'));
    const cached: CachedResponse[] = [];
    const res = await sendArriving(request(), "fulfillment", {}, query.promise, rows, zones, "key-2", (rep) => cached.push(rep));
    query.fail(new Error("terminating connection due to administrator command"));
    const { text, error } = await readAll(res.body!);
    expect('{"data":[{"n":1}'.startsWith(text)).toBe(true);
    expect(String(error)).toContain("administrator command");
    expect(cached).toEqual([]);
  });

  it("still caches the whole answer when the client goes away", async () => {
    const rows = new ArrivingRows();
    const query = pendingQuery();
    const cached: CachedResponse[] = [];
    const res = await sendArriving(request(), "fulfillment", {}, query.promise, rows, zones, "key-3", (rep) => cached.push(rep));
    await res.body!.cancel();
    rows.add(bytes('{"n":1}'));
    query.end({ kind: "rows", columns: ["n"], rowCount: 1 });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(cached.length).toBe(1);
    expect(JSON.parse(cached[0].chunks.map((c) => decoder.decode(c)).join("")).data).toEqual([{ n: 1 }]);
  });

  it("answers 304 when If-None-Match names the answer", async () => {
    const first = await sendArriving(request(), "fulfillment", {}, pendingQuery().promise, new ArrivingRows(), zones, "key-4", undefined);
    expect(first.headers.get("x-cache")).toBe("bypass");
    const etag = first.headers.get("etag")!;
    const again = await sendArriving(request({ "if-none-match": etag }), "fulfillment", {}, pendingQuery().promise, new ArrivingRows(),
      zones, "key-4", undefined);
    expect(again.status).toBe(304);
  });
});

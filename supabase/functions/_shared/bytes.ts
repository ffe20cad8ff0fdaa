// Byte buffers made of chunks (a request body read in parts, an answer built a day at a time).

export const byteLength = (chunks: readonly Uint8Array[]): number => chunks.reduce((n, c) => n + c.byteLength, 0);

/** One buffer of the chunks, each copied once. */
export function joinChunks(chunks: readonly Uint8Array[], length = byteLength(chunks)): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(length);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

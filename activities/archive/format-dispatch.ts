// Picks the reader for a sealed archive by the format version in its first bytes, without losing
// those bytes: the chosen reader then sees the stream from its first byte.
import { badArchive } from './failures.ts';
import { PRELUDE_BYTES, preludeVersion } from './format.ts';
import { formatReaderFor, type FormatReader } from './format-readers.ts';

export interface DispatchedArchive {
  reader: FormatReader;
  /** The whole stream again, prelude included. */
  stream: AsyncIterable<Uint8Array>;
}

/** Errors from `source` pass through unchanged; a short stream or an unknown version is a bad archive. */
export async function dispatchOnFormatVersion(source: AsyncIterable<Uint8Array>): Promise<DispatchedArchive> {
  const iterator = source[Symbol.asyncIterator]();
  const head: Uint8Array[] = [];
  let bytes = 0;
  try {
    while (bytes < PRELUDE_BYTES) {
      const next = await iterator.next();
      if (next.done) throw badArchive(`encrypted archive truncated: ${bytes} bytes, shorter than its header`);
      head.push(next.value);
      bytes += next.value.length;
    }
    const reader = formatReaderFor(preludeVersion(Buffer.concat(head).subarray(0, PRELUDE_BYTES)));
    async function* stream() {
      yield* head;
      // The iterator itself, not `source` (which may not restart): a pipeline's early return reaches
      // it and closes the download.
      yield* { [Symbol.asyncIterator]: () => iterator };
    }
    return { reader, stream: stream() };
  } catch (err) {
    // The caller gets no stream to close, so close the source here.
    await Promise.resolve(iterator.return?.()).catch(() => undefined);
    throw err;
  }
}

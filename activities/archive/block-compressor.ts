// The shape every parallel compressor here shares: the input cut into fixed-size blocks, several
// compressed at once on libuv's thread pool (as pigz does), the results pushed in input order.
import { Transform, type TransformCallback } from 'node:stream';

export interface BlockCompressorOptions {
  blockSize: number;
  /**
   * Blocks compressed at once: both cores busy while this thread tars, hashes and seals, and one of
   * libuv's four pool threads left for the file reads and lookups that share it.
   */
  inFlight?: number;
  /** Called in input order, once per block (the last may be short or empty); starts the work. */
  compress(block: Buffer): Promise<Buffer>;
  /** Every input chunk, in order, before it is cut (a checksum over the whole input). */
  onInput?(chunk: Buffer): void;
  /** Bytes before the first block. */
  head?: Buffer;
  /** Bytes after the last block, asked for once the input has ended. */
  tail?(): Buffer[];
  /** Compress an empty last block when the input was empty (a format that needs one frame at least). */
  emptyBlock?: boolean;
}

export const DEFAULT_IN_FLIGHT = 3;

export function createBlockCompressor(options: BlockCompressorOptions): Transform {
  const { blockSize } = options;
  const inFlightLimit = options.inFlight ?? DEFAULT_IN_FLIGHT;
  let block = Buffer.allocUnsafe(blockSize);
  let filled = 0;
  let dispatched = 0;
  const inFlight: Promise<Buffer>[] = [];

  const dispatch = () => {
    const compressed = options.compress(block.subarray(0, filled));
    // Awaited in order below; this only keeps a failure that arrives early from going unhandled.
    compressed.catch(() => undefined);
    inFlight.push(compressed);
    dispatched += 1;
    block = Buffer.allocUnsafe(blockSize);
    filled = 0;
  };
  const pushOldest = async (stream: Transform) => stream.push(await inFlight.shift());

  const transform = new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      options.onInput?.(chunk);
      (async () => {
        for (let at = 0; at < chunk.length;) {
          const copied = chunk.copy(block, filled, at);
          filled += copied;
          at += copied;
          if (this.destroyed) return;
          if (filled < blockSize) continue;
          dispatch();
          while (inFlight.length >= inFlightLimit) await pushOldest(this);
        }
      })().then(() => callback(), callback);
    },
    flush(callback: TransformCallback) {
      (async () => {
        if (filled > 0 || (dispatched === 0 && options.emptyBlock)) dispatch();
        while (inFlight.length > 0) await pushOldest(this);
        for (const bytes of options.tail?.() ?? []) this.push(bytes);
      })().then(() => callback(), callback);
    },
  });
  if (options.head) transform.push(options.head);
  return transform;
}

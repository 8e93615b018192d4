// gzip that does not spend CPU on bytes it cannot shrink, on every core. Model weights are close to
// random; gzip -6 gains nothing on them at ~20 MB/s. The input is cut into 256 KiB blocks, deflated
// several at a time on libuv's thread pool (as pigz does), each block whose byte entropy says
// "random" as stored deflate blocks (level 0), the rest at the requested level with the previous
// 32 KiB as its dictionary. Each block ends byte-aligned and not final (a sync flush), so the blocks
// concatenated are one deflate stream, and the result one ordinary gzip member (`gzip -d`, `tar -xz`
// read it) framed here with the gzip header and CRC-32/length trailer (RFC 1952).
import { Transform, type TransformCallback } from 'node:stream';
import { promisify } from 'node:util';
import { constants as zlib, crc32, deflateRaw, deflateRawSync } from 'node:zlib';

/**
 * Above this many bits per byte in a sample (8 is uniform random; an 8 KiB random sample measures
 * about 7.98), deflate cannot win enough to be worth its time.
 */
const RANDOM_BITS_PER_BYTE = 7.9;
/** Bytes sampled from the middle of a chunk: enough to tell random from not, cheap to count. */
const SAMPLE = 8 * 1024;
/** A last block smaller than this is compressed without looking. */
const MIN_CHUNK = 16 * 1024;
/** What one deflate call takes; several run at once, and the next starts from the last one's tail. */
const BLOCK = 256 * 1024;
/**
 * Blocks being deflated at once: both cores busy while this thread tars, hashes and seals, and one of
 * libuv's four pool threads left for the file reads and lookups that share it.
 */
const IN_FLIGHT = 3;
/** deflate's window: the most a back-reference reaches. */
const WINDOW = 32 * 1024;
/** An empty final block (fixed Huffman, end of block only): what ends the stream. */
const FINAL_BLOCK = deflateRawSync(Buffer.alloc(0));
const deflateRawAsync = promisify(deflateRaw);
/** Magic, method deflate, no flags, no mtime, no extra flags, OS unknown. */
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);

export function byteEntropy(data: Uint8Array): number {
  const counts = new Uint32Array(256);
  for (let i = 0; i < data.length; i += 1) counts[data[i]!]! += 1;
  let bits = 0;
  for (const count of counts) {
    if (count === 0) continue;
    const p = count / data.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

function looksRandom(chunk: Uint8Array): boolean {
  const start = (chunk.length - SAMPLE) >> 1;
  return byteEntropy(chunk.subarray(start, start + SAMPLE)) > RANDOM_BITS_PER_BYTE;
}

export function createAdaptiveGzip(level: number = zlib.Z_DEFAULT_COMPRESSION): Transform {
  let crc = 0;
  let size = 0;
  let block = Buffer.allocUnsafe(BLOCK);
  let filled = 0;
  /** The last 32 KiB before the next block: what a decoder holds as its window when it gets there. */
  let window: Buffer | undefined;
  const inFlight: Promise<Buffer>[] = [];

  const dispatch = () => {
    const input = block.subarray(0, filled);
    const blockLevel = level === 0 || filled < MIN_CHUNK ? level : looksRandom(input) ? 0 : level;
    const compressed = deflateRawAsync(input, {
      level: blockLevel,
      // Byte-aligned, not final: the next block's deflate data follows as if one stream had written both.
      finishFlush: zlib.Z_SYNC_FLUSH,
      ...(window && blockLevel !== 0 ? { dictionary: window } : {}),
    });
    // Awaited in order below; this only keeps a failure that arrives early from going unhandled.
    compressed.catch(() => undefined);
    inFlight.push(compressed);
    window = input.subarray(Math.max(0, filled - WINDOW));
    block = Buffer.allocUnsafe(BLOCK);
    filled = 0;
  };
  const pushOldest = async (stream: Transform) => stream.push(await inFlight.shift());

  const transform = new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      crc = crc32(chunk, crc);
      size += chunk.length;
      (async () => {
        for (let at = 0; at < chunk.length;) {
          const copied = chunk.copy(block, filled, at);
          filled += copied;
          at += copied;
          if (this.destroyed) return;
          if (filled < BLOCK) continue;
          dispatch();
          while (inFlight.length >= IN_FLIGHT) await pushOldest(this);
        }
      })().then(() => callback(), callback);
    },
    flush(callback: TransformCallback) {
      (async () => {
        if (filled > 0) dispatch();
        while (inFlight.length > 0) await pushOldest(this);
        const trailer = Buffer.alloc(8);
        trailer.writeUInt32LE(crc >>> 0, 0);
        trailer.writeUInt32LE(size % 2 ** 32, 4);
        this.push(FINAL_BLOCK);
        this.push(trailer);
      })().then(() => callback(), callback);
    },
  });
  transform.push(GZIP_HEADER);
  return transform;
}

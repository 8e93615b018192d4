// gzip that does not spend CPU on bytes it cannot shrink. Model weights are close to random; gzip -6
// gains nothing on them at ~20 MB/s. Chunks whose byte entropy says "random" go out as stored
// deflate blocks (level 0), everything else at the requested level. The result is one ordinary gzip
// member (`gzip -d`, `tar -xz` read it). Node's Gzip ignores params(), so this frames raw deflate
// (which honours it) with the gzip header and CRC-32/length trailer itself (RFC 1952).
import { Transform, type TransformCallback } from 'node:stream';
import { constants as zlib, crc32, createDeflateRaw, type DeflateRaw, type ZlibParams } from 'node:zlib';

/**
 * Above this many bits per byte in a sample (8 is uniform random; an 8 KiB random sample measures
 * about 7.98), deflate cannot win enough to be worth its time.
 */
const RANDOM_BITS_PER_BYTE = 7.9;
/** Bytes sampled from the middle of a chunk: enough to tell random from not, cheap to count. */
const SAMPLE = 8 * 1024;
/** Chunks smaller than this (tar headers, short files) keep the current level. */
const MIN_CHUNK = 16 * 1024;
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

function looksRandom(chunk: Buffer): boolean {
  const start = (chunk.length - SAMPLE) >> 1;
  return byteEntropy(chunk.subarray(start, start + SAMPLE)) > RANDOM_BITS_PER_BYTE;
}

export function createAdaptiveGzip(level: number = zlib.Z_DEFAULT_COMPRESSION): Transform {
  // 64 KiB output pieces (default 16): a quarter of the buffers to allocate and collect.
  const deflate: DeflateRaw & ZlibParams = createDeflateRaw({ level, chunkSize: 64 * 1024 });
  let current = level;
  let crc = 0;
  let size = 0;

  const transform = new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      crc = crc32(chunk, crc);
      size += chunk.length;
      const write = () => (deflate.write(chunk) ? callback() : deflate.once('drain', () => callback()));
      const wanted = level === 0 || chunk.length < MIN_CHUNK ? current : looksRandom(chunk) ? 0 : level;
      if (wanted === current) return write();
      current = wanted;
      // params() queues a flush behind the pending writes and applies the level once it has run;
      // nothing is written until then, so zlib never changes params under a running write.
      deflate.params(wanted, zlib.Z_DEFAULT_STRATEGY, write);
    },
    flush(callback: TransformCallback) {
      deflate.once('end', () => {
        const trailer = Buffer.alloc(8);
        trailer.writeUInt32LE(crc >>> 0, 0);
        trailer.writeUInt32LE(size % 2 ** 32, 4);
        callback(null, trailer);
      });
      deflate.end();
    },
    destroy(err, callback) {
      deflate.destroy();
      callback(err);
    },
  });
  transform.push(GZIP_HEADER);
  deflate.on('data', (data: Buffer) => transform.push(data));
  deflate.on('error', (err) => transform.destroy(err));
  return transform;
}

// gzip that does not spend CPU on bytes it cannot shrink, on every core: format v1's compression.
// Each 256 KiB block whose byte entropy says "random" becomes stored deflate blocks (level 0), the
// rest is deflated at the requested level with the previous 32 KiB as its dictionary. Each block
// ends byte-aligned and not final (a sync flush), so the blocks concatenated are one deflate stream,
// and the result one ordinary gzip member (`gzip -d`, `tar -xz` read it) framed here with the gzip
// header and CRC-32/length trailer (RFC 1952).
import type { Transform } from 'node:stream';
import { promisify } from 'node:util';
import { constants as zlib, crc32, deflateRaw, deflateRawSync } from 'node:zlib';
import { createBlockCompressor } from './block-compressor.ts';
import { looksRandom } from './entropy.ts';

/** What one deflate call takes; the next starts from the last one's tail. */
const BLOCK = 256 * 1024;
/** deflate's window: the most a back-reference reaches. */
const WINDOW = 32 * 1024;
/** An empty final block (fixed Huffman, end of block only): what ends the stream. */
const FINAL_BLOCK = deflateRawSync(Buffer.alloc(0));
const deflateRawAsync = promisify(deflateRaw);
/** Magic, method deflate, no flags, no mtime, no extra flags, OS unknown. */
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);

export function createAdaptiveGzip(level: number = zlib.Z_DEFAULT_COMPRESSION): Transform {
  let crc = 0;
  let size = 0;
  /** The last 32 KiB before the next block: what a decoder holds as its window when it gets there. */
  let window: Buffer | undefined;
  return createBlockCompressor({
    blockSize: BLOCK,
    head: GZIP_HEADER,
    onInput(chunk) {
      crc = crc32(chunk, crc);
      size += chunk.length;
    },
    compress(input) {
      const blockLevel = level !== 0 && looksRandom(input) ? 0 : level;
      const compressed = deflateRawAsync(input, {
        level: blockLevel,
        // Byte-aligned, not final: the next block's deflate data follows as if one stream had written both.
        finishFlush: zlib.Z_SYNC_FLUSH,
        ...(window && blockLevel !== 0 ? { dictionary: window } : {}),
      });
      window = input.subarray(Math.max(0, input.length - WINDOW));
      return compressed;
    },
    tail() {
      const trailer = Buffer.alloc(8);
      trailer.writeUInt32LE(crc >>> 0, 0);
      trailer.writeUInt32LE(size % 2 ** 32, 4);
      return [FINAL_BLOCK, trailer];
    },
  });
}

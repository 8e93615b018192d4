// Format v2's compression: the input cut into 512 KiB blocks, each its own zstd frame (RFC 8878),
// compressed several at once on the thread pool. Frames concatenated are one valid zstd stream
// (`zstd -d` and Node's zstd decoder read it), and each frame decodes alone. A block whose byte
// entropy says "random" (model weights) is framed here as raw blocks, costing no compression at all.
import type { Transform } from 'node:stream';
import { promisify } from 'node:util';
import { constants as zlib, zstdCompress } from 'node:zlib';
import { createBlockCompressor } from './block-compressor.ts';
import { looksRandom } from './entropy.ts';

const BLOCK = 512 * 1024;
/** zstd's own default: about deflate -6's ratio at several times its speed. */
export const DEFAULT_ZSTD_LEVEL = 3;
const zstdCompressAsync = promisify(zstdCompress);
/**
 * zlib's output buffer per call into the codec: 1 MiB, not the default 16 KiB, which would cost a
 * round trip to the thread pool and a copy per 16 KiB of a 4 MiB piece.
 */
export const ZLIB_CHUNK_BYTES = 1024 * 1024;

const FRAME_MAGIC = Buffer.from([0x28, 0xb5, 0x2f, 0xfd]);
/** No content size, not single-segment, no checksum (GCM authenticates), no dictionary. */
const FRAME_HEADER_DESCRIPTOR = 0x00;
/** Window 2^17 = 128 KiB (exponent 17 - 10 in bits 3..7): the largest raw block fits in it. */
const WINDOW_DESCRIPTOR = (17 - 10) << 3;
/** The most one block may hold: min(window, 128 KiB). */
const MAX_RAW_BLOCK = 128 * 1024;
/** Block header, 3 bytes little-endian: last flag (bit 0), type (bits 1-2; raw = 0), size (bits 3-23). */
const BLOCK_HEADER_BYTES = 3;

/** `data` as one zstd frame of raw (uncompressed) blocks. */
export function rawZstdFrame(data: Uint8Array): Buffer {
  const blocks = Math.max(1, Math.ceil(data.length / MAX_RAW_BLOCK));
  const out = Buffer.allocUnsafe(FRAME_MAGIC.length + 2 + blocks * BLOCK_HEADER_BYTES + data.length);
  let at = FRAME_MAGIC.copy(out, 0);
  out[at++] = FRAME_HEADER_DESCRIPTOR;
  out[at++] = WINDOW_DESCRIPTOR;
  for (let i = 0; i < blocks; i += 1) {
    const piece = data.subarray(i * MAX_RAW_BLOCK, (i + 1) * MAX_RAW_BLOCK);
    const last = i === blocks - 1 ? 1 : 0;
    out.writeUIntLE(last | (piece.length << 3), at, BLOCK_HEADER_BYTES);
    at += BLOCK_HEADER_BYTES;
    at += Buffer.from(piece.buffer, piece.byteOffset, piece.length).copy(out, at);
  }
  return out;
}

/**
 * The content of a frame made only of raw blocks, as rawZstdFrame writes it, read from `parts` (the
 * frame's bytes in order, not joined) into one buffer of `size` bytes. Any other frame, or one whose
 * content is not exactly `size` bytes, gives undefined: zstd's own decoder reads it (and says what is
 * wrong). Random model weights take this path, so their restore costs one copy and no codec call.
 */
export function rawFrameContent(parts: readonly Buffer[], size: number): Buffer | undefined {
  const frame = new PartsReader(parts);
  const header = frame.bytes(FRAME_MAGIC.length + 2);
  if (!header || !header.subarray(0, FRAME_MAGIC.length).equals(FRAME_MAGIC)) return undefined;
  if (header[FRAME_MAGIC.length] !== FRAME_HEADER_DESCRIPTOR || header[FRAME_MAGIC.length + 1] !== WINDOW_DESCRIPTOR)
    return undefined;
  const out = Buffer.allocUnsafe(size);
  let written = 0;
  for (let last = false; !last;) {
    const blockHeader = frame.bytes(BLOCK_HEADER_BYTES);
    if (!blockHeader) return undefined;
    const word = blockHeader.readUIntLE(0, BLOCK_HEADER_BYTES);
    const length = word >>> 3;
    last = (word & 1) === 1;
    // A raw block is never larger than the window allows.
    if ((word & 0b110) !== 0 || length > MAX_RAW_BLOCK || written + length > size) return undefined;
    if (!frame.copyTo(out, written, length)) return undefined;
    written += length;
  }
  return written === size && frame.atEnd() ? out : undefined;
}

/** Reads bytes in order from a list of buffers, as if they were one. */
class PartsReader {
  private readonly parts: readonly Buffer[];
  private part = 0;
  private at = 0;
  constructor(parts: readonly Buffer[]) {
    this.parts = parts;
  }

  /** The next `length` bytes (a small header: copied when it spans two parts), or undefined past the end. */
  bytes(length: number): Buffer | undefined {
    const current = this.parts[this.part];
    if (current && this.at + length <= current.length) {
      this.at += length;
      return current.subarray(this.at - length, this.at);
    }
    const out = Buffer.allocUnsafe(length);
    return this.copyTo(out, 0, length) ? out : undefined;
  }

  /** Copies the next `length` bytes into `out` at `offset`; false when fewer are left. */
  copyTo(out: Buffer, offset: number, length: number): boolean {
    let left = length;
    while (left > 0) {
      const current = this.parts[this.part];
      if (!current) return false;
      const copied = current.copy(out, offset + length - left, this.at, Math.min(current.length, this.at + left));
      left -= copied;
      this.at += copied;
      if (this.at === current.length) {
        this.part += 1;
        this.at = 0;
      }
    }
    return true;
  }

  atEnd(): boolean {
    return this.parts.slice(this.part).every((part, i) => part.length === (i === 0 ? this.at : 0));
  }
}

/** One frame: raw when the data looks random, zstd at `level` otherwise. */
export function compressFrame(data: Buffer, level: number = DEFAULT_ZSTD_LEVEL): Promise<Buffer> {
  if (looksRandom(data)) return Promise.resolve(rawZstdFrame(data));
  // Room for the whole frame in one output chunk (above zstd's bound: the input plus 1/256 and a little),
  // so zlib returns it without concatenating 1 MiB chunks.
  const chunkSize = Math.max(ZLIB_CHUNK_BYTES, data.length + (data.length >> 7) + 1024);
  return zstdCompressAsync(data, { params: { [zlib.ZSTD_c_compressionLevel]: level }, chunkSize });
}

export function createZstdFrames(level: number = DEFAULT_ZSTD_LEVEL): Transform {
  // An empty input is still one (empty) frame: a zstd stream is never zero bytes.
  return createBlockCompressor({
    blockSize: BLOCK,
    emptyBlock: true,
    compress: (block) => compressFrame(block, level),
  });
}

// Follows the tar framing ahead of the tar parser and refuses what the parser would trust: a pax or
// GNU long-name header is held whole in memory by the parser (a 2 MB gzip can expand into a 2 GiB
// header), so its size is capped here before a byte of it is buffered; and every size, in the
// header or in a pax `size=` record, must be a plain non-negative safe integer (the parser turns
// `size=abc` into NaN, which passes every `>` check). Bytes pass through unchanged.
import { Transform, type TransformCallback } from 'node:stream';
import { badArchive } from './failures.ts';

/** Enough for any path or pax record set a backup writes; far below what could hurt a worker. */
export const MAX_TAR_HEADER_BYTES = 64 * 1024;

const BLOCK = 512;
/** Header extensions whose data the parser buffers whole: pax (per entry, global), GNU long name and link. */
const EXTENSIONS = new Set(['x', 'g', 'L', 'K']);

const padded = (size: number) => Math.ceil(size / BLOCK) * BLOCK;

/** The header checksum: the byte sum with the checksum field read as spaces, as tar writes it. */
function checksumHolds(block: Buffer): boolean {
  const stored = Number.parseInt(
    block
      .subarray(148, 156)
      .toString('latin1')
      .replace(/[\0 ]+/g, ''),
    8,
  );
  let sum = 8 * 0x20;
  for (let i = 0; i < BLOCK; i++) if (i < 148 || i >= 156) sum += block[i]!;
  return stored === sum;
}

/** The header's size field: octal digits (NUL or space padded); base-256 sizes are refused. */
function headerSize(block: Buffer, at: string): number {
  const field = block.subarray(124, 136);
  if ((field[0]! & 0x80) !== 0) throw badArchive(`${at}: a base-256 tar size is not accepted`);
  const text = field
    .toString('latin1')
    .replace(/[\0 ]+$/, '')
    .replace(/^[\0 ]+/, '');
  if (!/^[0-7]+$/.test(text)) throw badArchive(`${at}: tar size ${JSON.stringify(text)} is not an octal number`);
  const size = Number.parseInt(text, 8);
  if (!Number.isSafeInteger(size)) throw badArchive(`${at}: tar size ${text} is out of range`);
  return size;
}

/** The `size` record of pax data, if any; it must be decimal digits forming a safe integer. */
function paxSize(data: Buffer, at: string): number | undefined {
  let size: number | undefined;
  let offset = 0;
  while (offset < data.length) {
    const space = data.indexOf(0x20, offset);
    const length = space === -1 ? NaN : Number(data.subarray(offset, space).toString('latin1'));
    if (!Number.isSafeInteger(length) || length <= space - offset || offset + length > data.length)
      throw badArchive(`${at}: malformed pax record`);
    const record = data.subarray(space + 1, offset + length - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq !== -1 && record.slice(0, eq) === 'size') {
      const value = record.slice(eq + 1);
      if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value)))
        throw badArchive(`${at}: pax size ${JSON.stringify(value.slice(0, 40))} is not a whole number of bytes`);
      size = Number(value);
    }
    offset += length;
  }
  return size;
}

export function tarGuard(maxHeaderBytes = MAX_TAR_HEADER_BYTES): Transform {
  let header = Buffer.alloc(0);
  // Bytes of entry data (and padding) still to pass before the next header.
  let skip = 0;
  // A header extension being collected: its data (bounded), how much of it is left, its padding.
  let extension: { type: string; chunks: Buffer[]; left: number; padding: number } | undefined;
  let sizeOverride: number | undefined;
  let entries = 0;
  let ended = false;

  const onHeader = (block: Buffer) => {
    if (block.every((b) => b === 0)) {
      ended = true; // end-of-archive blocks: whatever follows is the parser's to ignore
      return;
    }
    entries += 1;
    const at = `tar header ${entries}`;
    if (!checksumHolds(block)) throw badArchive(`archive unreadable: Invalid tar header (${at}: bad checksum)`);
    const type = String.fromCharCode(block[156] ?? 0x30);
    const size = headerSize(block, at);
    if (EXTENSIONS.has(type)) {
      if (size > maxHeaderBytes)
        throw badArchive(`${at}: a ${size}-byte header extension exceeds the ${maxHeaderBytes}-byte limit`);
      extension = { type, chunks: [], left: size, padding: padded(size) - size };
      if (size === 0) finishExtension(at);
      return;
    }
    skip = padded(sizeOverride ?? size);
    sizeOverride = undefined;
  };

  const finishExtension = (at: string) => {
    const { type, chunks, padding } = extension!;
    extension = undefined;
    if (type === 'x') sizeOverride = paxSize(Buffer.concat(chunks), at) ?? sizeOverride;
    skip = padding;
  };

  return new Transform({
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      try {
        let offset = 0;
        while (offset < chunk.length && !ended) {
          if (skip > 0) {
            const n = Math.min(skip, chunk.length - offset);
            skip -= n;
            offset += n;
          } else if (extension) {
            const n = Math.min(extension.left, chunk.length - offset);
            extension.chunks.push(chunk.subarray(offset, offset + n));
            extension.left -= n;
            offset += n;
            if (extension.left === 0) finishExtension(`tar header ${entries}`);
          } else {
            const n = Math.min(BLOCK - header.length, chunk.length - offset);
            header = Buffer.concat([header, chunk.subarray(offset, offset + n)]);
            offset += n;
            if (header.length === BLOCK) {
              const block = header;
              header = Buffer.alloc(0);
              onHeader(block);
            }
          }
        }
        done(null, chunk);
      } catch (err) {
        done(err as Error);
      }
    },
  });
}

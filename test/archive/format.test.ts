// The encrypted-stream format: round trips at every size that matters, and each region tampered.
import { randomBytes } from 'node:crypto';
import { finished } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { HEADER_BYTES, MAGIC, TAG_BYTES } from '../../activities/archive/format.ts';
import { collect, expectBadArchive, open, seal, testKey, unevenly } from './helpers.ts';
import { createDecryptStream } from '../../activities/archive/index.ts';

const CHUNK = 1024;
const SEALED = CHUNK + TAG_BYTES;
const key = testKey();
/** Five full chunks and a short sixth: chunk i starts at HEADER_BYTES + i * SEALED. */
const plain = randomBytes(5 * CHUNK + 300);
const sealed = await seal(plain, key, CHUNK);
const chunkAt = (i: number) => HEADER_BYTES + i * SEALED;
const flip = (data: Buffer, at: number) => {
  const copy = Buffer.from(data);
  copy[at]! ^= 0x01;
  return copy;
};

describe('encrypted stream format', () => {
  it.each([0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 100_000])('round-trips %i bytes', async (size) => {
    const data = randomBytes(size);
    const out = await seal(data, key, CHUNK);
    const chunks = Math.max(1, Math.ceil(size / CHUNK));
    expect(out.length).toBe(HEADER_BYTES + size + chunks * TAG_BYTES);
    expect(out.subarray(0, MAGIC.length)).toEqual(MAGIC);
    expect(await open(out, key)).toEqual(data);
  });

  it('uses a fresh nonce each time: the same plaintext never seals to the same bytes', async () => {
    const again = await seal(plain, key, CHUNK);
    expect(again.length).toBe(sealed.length);
    expect(again.equals(sealed)).toBe(false);
    expect(await open(again, key)).toEqual(plain);
  });

  it('does not contain the plaintext', async () => {
    const text = Buffer.from('password=hunter2-'.repeat(200));
    const out = await seal(text, key, CHUNK);
    expect(out.includes(Buffer.from('hunter2'))).toBe(false);
  });

  it('refuses a tampered header, region by region', async () => {
    await expectBadArchive(open(flip(sealed, 0), key), /bad magic/);
    await expectBadArchive(open(flip(sealed, MAGIC.length), key), /unsupported encrypted-archive version/);
    // The chunk size field: 1024 ^ 1 = 1025 is in range, so the header passes but no tag verifies.
    await expectBadArchive(open(flip(sealed, MAGIC.length + 4), key), /authentication at chunk 0/);
    await expectBadArchive(
      open(flip(sealed, MAGIC.length + 5), key),
      new RegExp(`sealed with key [0-9a-f]{16}; the loaded key is ${key.id}`),
    );
    await expectBadArchive(open(flip(sealed, HEADER_BYTES - 1), key), /authentication at chunk 0/);
  });

  it('refuses a flipped byte in a chunk body and releases only the chunks before it', async () => {
    const released: Buffer[] = [];
    await expectBadArchive(
      open(flip(sealed, chunkAt(2) + 100), key, released),
      /authentication at chunk 2 \(tampered or reordered\)/,
    );
    expect(Buffer.concat(released)).toEqual(plain.subarray(0, 2 * CHUNK));
  });

  it('refuses a flipped byte in a tag', async () => {
    await expectBadArchive(open(flip(sealed, chunkAt(1) + SEALED - 1), key), /authentication at chunk 1/);
    await expectBadArchive(
      open(flip(sealed, sealed.length - 1), key),
      /authentication at chunk 5 \(tampered, truncated or extended\)/,
    );
  });

  it('refuses chunks in the wrong order', async () => {
    const swapped = Buffer.concat([
      sealed.subarray(0, chunkAt(1)),
      sealed.subarray(chunkAt(2), chunkAt(3)),
      sealed.subarray(chunkAt(1), chunkAt(2)),
      sealed.subarray(chunkAt(3)),
    ]);
    expect(swapped.length).toBe(sealed.length);
    await expectBadArchive(open(swapped, key), /authentication at chunk 1/);
  });

  it('refuses truncation at a chunk boundary, inside a chunk and inside the header', async () => {
    await expectBadArchive(
      open(sealed.subarray(0, chunkAt(5)), key),
      /authentication at chunk 4 \(tampered, truncated or extended\)/,
    );
    await expectBadArchive(open(sealed.subarray(0, chunkAt(3) + 100), key), /authentication at chunk 3/);
    await expectBadArchive(
      open(sealed.subarray(0, chunkAt(3) + 10), key),
      /truncated after chunk 2: the final chunk is missing/,
    );
    await expectBadArchive(open(sealed.subarray(0, HEADER_BYTES), key), /final chunk is missing/);
    await expectBadArchive(open(sealed.subarray(0, HEADER_BYTES - 1), key), /shorter than its header/);
  });

  it('refuses appended bytes: garbage, or a copy of a genuine chunk', async () => {
    await expectBadArchive(open(Buffer.concat([sealed, Buffer.from('trailing')]), key), /authentication at chunk 5/);
    await expectBadArchive(
      open(Buffer.concat([sealed, sealed.subarray(chunkAt(0), chunkAt(1))]), key),
      /authentication at chunk 5/,
    );
  });

  it('refuses another key by id, without revealing either key', async () => {
    const other = testKey();
    const failure = await expectBadArchive(
      open(sealed, other),
      new RegExp(`sealed with key ${key.id}; the loaded key is ${other.id}`),
    );
    expect(failure.message).not.toContain(key.material().toString('base64'));
  });

  it('holds back a chunk until its tag has arrived and verified', async () => {
    const decrypt = createDecryptStream(key);
    const released: Buffer[] = [];
    decrypt.on('data', (chunk: Buffer) => released.push(chunk));
    // All of chunk 0 but the last byte of its tag, plus nothing after: nothing may come out.
    decrypt.write(sealed.subarray(0, chunkAt(1) - 1));
    await new Promise((resolve) => setImmediate(resolve));
    expect(released).toEqual([]);
    // Chunk 0 complete and one byte of chunk 1: chunk 0 is now known not to be last, and verifies.
    decrypt.write(sealed.subarray(chunkAt(1) - 1, chunkAt(1) + 1));
    await new Promise((resolve) => setImmediate(resolve));
    expect(Buffer.concat(released)).toEqual(plain.subarray(0, CHUNK));
    decrypt.end(sealed.subarray(chunkAt(1) + 1));
    await finished(decrypt);
    expect(Buffer.concat(released)).toEqual(plain);
  });

  it('reads uneven input the same as whole input', async () => {
    expect(await collect(unevenly(sealed, 1).pipe(createDecryptStream(key)))).toEqual(plain);
  });
});

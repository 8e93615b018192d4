// Small helpers for the archive tests: a fresh key, and whole-buffer seal/open around the streams.
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { ApplicationFailure } from '@temporalio/common';
import { expect } from 'vitest';
import { BackupKey, createDecryptStream, createEncryptStream } from '../../activities/archive/index.ts';
import { FailureType } from '../../types/index.ts';

export const testKey = () => new BackupKey(randomBytes(32));

export async function collect(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** Feeds `data` in uneven pieces, so chunk boundaries never line up with writes. */
export function unevenly(data: Buffer, piece = 777): Readable {
  const pieces: Buffer[] = [];
  for (let at = 0; at < data.length; at += piece) pieces.push(data.subarray(at, at + piece));
  return Readable.from(pieces);
}

export async function seal(data: Buffer, key: BackupKey, chunkSize = 1024): Promise<Buffer> {
  const out: Buffer[] = [];
  await pipeline(unevenly(data), createEncryptStream(key, { chunkSize }), async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) out.push(chunk);
  });
  return Buffer.concat(out);
}

/** Decrypts; resolves with the plaintext, or rejects, recording what was released before failing. */
export async function open(sealed: Buffer, key: BackupKey, released: Buffer[] = []): Promise<Buffer> {
  const decrypt = createDecryptStream(key);
  // A 'data' listener sees each chunk as it is pushed, even if the stream fails right after.
  decrypt.on('data', (chunk: Buffer) => released.push(chunk));
  const done = finished(decrypt);
  unevenly(sealed, 1000).pipe(decrypt);
  await done;
  return Buffer.concat(released);
}

/** Asserts a permanent BadArchive refusal whose message matches. */
export async function expectBadArchive(promise: Promise<unknown>, message: RegExp): Promise<ApplicationFailure> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  const failure = err as ApplicationFailure;
  expect(failure.type).toBe(FailureType.badArchive);
  expect(failure.nonRetryable).toBe(true);
  expect(failure.message).toMatch(message);
  return failure;
}

/** One raw ustar header block, for archives no tar writer would make (a hostile `size`, a pax record). */
export function ustarHeader(name: string, size: number | string, type = '0'): Buffer {
  const block = Buffer.alloc(512);
  const put = (text: string, at: number, length: number) => block.write(text.slice(0, length), at, 'latin1');
  put(name, 0, 100);
  put('0000644\0', 100, 8);
  put('0000000\0', 108, 8);
  put('0000000\0', 116, 8);
  put(typeof size === 'number' ? `${size.toString(8).padStart(11, '0')}\0` : size, 124, 12);
  put('00000000000\0', 136, 12);
  put('        ', 148, 8);
  put(type, 156, 1);
  put('ustar\0', 257, 6);
  put('00', 263, 2);
  const sum = block.reduce((total, byte) => total + byte, 0);
  put(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8);
  return block;
}

/** A pax extended header (type `x`) carrying `records`, padded to whole blocks. */
export function paxHeader(records: Record<string, string>): Buffer {
  const lines = Object.entries(records).map(([key, value]) => {
    const body = ` ${key}=${value}\n`;
    let length = body.length + 1;
    while (`${length}${body}`.length !== length) length += 1;
    return `${length}${body}`;
  });
  const data = Buffer.from(lines.join(''), 'utf8');
  return Buffer.concat([
    ustarHeader('PaxHeader', data.length, 'x'),
    data,
    Buffer.alloc((512 - (data.length % 512)) % 512),
  ]);
}

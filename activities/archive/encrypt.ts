// Seals a byte stream in the format described in format.ts. Memory is one chunk, whatever the size.
import { createCipheriv, randomBytes } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { chunkAad, chunkNonce, DEFAULT_CHUNK_SIZE, encodeHeader, TAG_BYTES, type StreamHeader } from './format.ts';
import type { BackupKey } from './keys.ts';

/** Chunk `index` sealed: its ciphertext, then its tag. */
function sealChunk(key: BackupKey, header: StreamHeader, index: number, plain: Buffer, final: boolean): Buffer[] {
  const cipher = createCipheriv('aes-256-gcm', key.material(), chunkNonce(header, index));
  cipher.setAAD(chunkAad(header, index, final));
  const ciphertext = cipher.update(plain);
  cipher.final();
  return [ciphertext, cipher.getAuthTag()];
}

export function createEncryptStream(key: BackupKey, options: { chunkSize?: number; version?: number } = {}): Transform {
  const header: StreamHeader = encodeHeader(
    key.id,
    options.chunkSize ?? DEFAULT_CHUNK_SIZE,
    randomBytes(12),
    options.version,
  );
  const pending = Buffer.alloc(header.chunkSize);
  let filled = 0;
  let index = 0;

  const seal = (stream: Transform, final: boolean) => {
    if (index === 0) stream.push(header.bytes);
    // Pushed as they come, not concatenated: one less copy of every byte.
    for (const part of sealChunk(key, header, index, pending.subarray(0, filled), final)) stream.push(part);
    index += 1;
    filled = 0;
  };

  return new Transform({
    transform(data: Buffer, _encoding, callback: TransformCallback) {
      let at = 0;
      while (at < data.length) {
        // A full chunk is sealed as non-final only once more data exists: the last one must carry the flag.
        if (filled === header.chunkSize) seal(this, false);
        const copied = data.copy(pending, filled, at);
        filled += copied;
        at += copied;
      }
      callback();
    },
    flush(callback: TransformCallback) {
      seal(this, true);
      callback();
    },
  });
}

/** The same format sealed from one buffer (a piece, a few MiB) into one buffer. */
export function sealBuffer(key: BackupKey, plain: Buffer, options: { chunkSize: number; version: number }): Buffer {
  const header = encodeHeader(key.id, options.chunkSize, randomBytes(12), options.version);
  const chunks = Math.max(1, Math.ceil(plain.length / header.chunkSize));
  const sealed = Buffer.allocUnsafe(header.bytes.length + plain.length + chunks * TAG_BYTES);
  let at = header.bytes.copy(sealed, 0);
  for (let index = 0; index < chunks; index += 1) {
    const chunk = plain.subarray(index * header.chunkSize, (index + 1) * header.chunkSize);
    for (const part of sealChunk(key, header, index, chunk, index === chunks - 1)) at += part.copy(sealed, at);
  }
  return sealed;
}

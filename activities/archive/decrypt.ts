// Opens a stream sealed by encrypt.ts. A chunk's plaintext is pushed only after its tag verifies;
// the stream fails if it ends without a chunk sealed as final, or continues after one.
import { createDecipheriv } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { badArchive } from './failures.ts';
import { chunkAad, chunkNonce, decodeHeader, HEADER_BYTES, TAG_BYTES, type StreamHeader } from './format.ts';
import type { BackupKey } from './keys.ts';

/** `version`, when given, is the only format version accepted in the header. */
/** Chunk `index` (ciphertext and tag) → its plaintext, or a refusal if its tag does not verify. */
export function openChunk(key: BackupKey, header: StreamHeader, index: number, sealed: Buffer, final: boolean): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key.material(), chunkNonce(header, index));
  decipher.setAAD(chunkAad(header, index, final));
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  const plain = decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES));
  try {
    decipher.final();
  } catch {
    throw badArchive(
      final
        ? `encrypted archive failed authentication at chunk ${index} (tampered, truncated or extended)`
        : `encrypted archive failed authentication at chunk ${index} (tampered or reordered)`,
    );
  }
  return plain;
}

export function createDecryptStream(key: BackupKey, version?: number): Transform {
  let header: StreamHeader | undefined;
  let buffered: Buffer[] = [];
  let bufferedBytes = 0;
  let index = 0;

  const take = (bytes: number): Buffer => {
    const all = buffered.length === 1 ? buffered[0]! : Buffer.concat(buffered, bufferedBytes);
    buffered = all.length > bytes ? [all.subarray(bytes)] : [];
    bufferedBytes -= bytes;
    return all.subarray(0, bytes);
  };

  const open = (sealed: Buffer, final: boolean): Buffer => openChunk(key, header!, index++, sealed, final);

  return new Transform({
    transform(data: Buffer, _encoding, callback: TransformCallback) {
      try {
        buffered.push(data);
        bufferedBytes += data.length;
        if (!header) {
          if (bufferedBytes < HEADER_BYTES) return callback();
          header = decodeHeader(take(HEADER_BYTES), version);
          if (header.keyId !== key.id) {
            throw badArchive(`archive was sealed with key ${header.keyId}; the loaded key is ${key.id}`);
          }
        }
        // Hold back one full sealed chunk until more bytes arrive: only the stream's end says which is last.
        const sealedSize = header.chunkSize + TAG_BYTES;
        while (bufferedBytes > sealedSize) this.push(open(take(sealedSize), false));
        callback();
      } catch (err) {
        callback(err as Error);
      }
    },
    flush(callback: TransformCallback) {
      try {
        if (!header) throw badArchive(`encrypted archive truncated: ${bufferedBytes} bytes, shorter than its header`);
        if (bufferedBytes < TAG_BYTES)
          throw badArchive(`encrypted archive truncated after chunk ${index - 1}: the final chunk is missing`);
        this.push(open(take(bufferedBytes), true));
        callback();
      } catch (err) {
        callback(err as Error);
      }
    },
  });
}

/**
 * The same format opened from one buffer (a piece object, a few MiB): no stream and no copies,
 * each chunk's plaintext in order (a caller that needs one buffer joins them). Only a buffer whose
 * every chunk verifies, the last sealed as final, opens.
 */
export function openSealedChunks(key: BackupKey, sealed: Buffer, version: number): Buffer[] {
  if (sealed.length < HEADER_BYTES)
    throw badArchive(`sealed object truncated: ${sealed.length} bytes, shorter than its header`);
  const header = decodeHeader(sealed.subarray(0, HEADER_BYTES), version);
  if (header.keyId !== key.id) throw badArchive(`sealed with key ${header.keyId}; the loaded key is ${key.id}`);
  const sealedSize = header.chunkSize + TAG_BYTES;
  const body = sealed.subarray(HEADER_BYTES);
  const chunks = Math.max(1, Math.ceil(body.length / sealedSize));
  if (body.length < TAG_BYTES) throw badArchive('sealed object truncated after its header');
  const plain: Buffer[] = [];
  for (let index = 0; index < chunks; index += 1) {
    const chunk = body.subarray(index * sealedSize, (index + 1) * sealedSize);
    if (chunk.length < TAG_BYTES) throw badArchive(`sealed object truncated after chunk ${index - 1}`);
    plain.push(openChunk(key, header, index, chunk, index === chunks - 1));
  }
  return plain;
}

// The encrypted-stream format. Everything is big-endian.
//
//   prelude = magic "PNOBAK\0\x01" (8) | version u8                 (the same in every version, forever)
//
// Versions 1 and 2 seal the same way (createEncryptStream, createDecryptStream); they differ in the
// plaintext (layout.ts, format-readers.ts):
//
//   header  = prelude (version) | chunkSize u32 | keyId (8 bytes = 16 hex)
//             | baseNonce (12 random bytes)                                            = 33 bytes
//   chunk i = AES-256-GCM(plaintext_i) (chunkSize bytes, the last one 0..chunkSize) | tag (16)
//   nonce_i = baseNonce XOR i (i as u64 in the nonce's last 8 bytes)
//   aad_i   = header | i as u64 | final flag u8 (1 on the last chunk only)
//
// Every chunk but the last holds exactly chunkSize plaintext bytes, so a reader knows a chunk is the
// last when the stream ends after it. Binding the header into every tag authenticates it; the index
// detects reordering; the final flag detects truncation at a chunk boundary (the new last chunk was
// sealed as non-final) and appending (the real last chunk is no longer last). An empty plaintext is
// one final chunk with no ciphertext.
import { badArchive } from './failures.ts';
import { FORMAT_VERSION } from './layout.ts';

export const MAGIC = Buffer.from('PNOBAK\0\x01', 'latin1');
/** What a reader looks at to choose the reader for the version. */
export const PRELUDE_BYTES = MAGIC.length + 1;
export const HEADER_BYTES = PRELUDE_BYTES + 4 + 8 + 12;
export const TAG_BYTES = 16;
/** Each chunk costs a cipher set-up (tens of µs) and a few buffers; 256 KiB keeps that under 1%. */
export const DEFAULT_CHUNK_SIZE = 256 * 1024;
/** Readers refuse chunk sizes outside this range, so a header cannot make them buffer gigabytes. */
export const MIN_CHUNK_SIZE = 1024;
export const MAX_CHUNK_SIZE = 4 * 1024 * 1024;
/** The versions whose header is the one below. */
const SEALED_VERSIONS: ReadonlySet<number> = new Set([1, 2]);

export interface StreamHeader {
  version: number;
  chunkSize: number;
  keyId: string;
  baseNonce: Buffer;
  /** The header exactly as written; it is part of every chunk's AAD. */
  bytes: Buffer;
}

export function encodeHeader(
  keyId: string,
  chunkSize: number,
  baseNonce: Buffer,
  version: number = FORMAT_VERSION,
): StreamHeader {
  const bytes = Buffer.alloc(HEADER_BYTES);
  let at = MAGIC.copy(bytes, 0);
  at = bytes.writeUInt8(version, at);
  at = bytes.writeUInt32BE(chunkSize, at);
  at += Buffer.from(keyId, 'hex').copy(bytes, at);
  baseNonce.copy(bytes, at);
  return { version, chunkSize, keyId, baseNonce, bytes };
}

/** The format version in a prelude (the first PRELUDE_BYTES of a sealed archive). */
export function preludeVersion(prelude: Buffer): number {
  if (!prelude.subarray(0, MAGIC.length).equals(MAGIC)) throw badArchive('not a PNO encrypted archive (bad magic)');
  return prelude.readUInt8(MAGIC.length);
}

/** Decodes the header of any sealed version; `expected`, when given, is the only version accepted. */
export function decodeHeader(bytes: Buffer, expected?: number): StreamHeader {
  const version = preludeVersion(bytes);
  if (!SEALED_VERSIONS.has(version) || (expected !== undefined && version !== expected))
    throw badArchive(
      `unsupported encrypted-archive version ${version} (this decryptor reads version ${expected ?? [...SEALED_VERSIONS].join(', ')})`,
    );
  const chunkSize = bytes.readUInt32BE(MAGIC.length + 1);
  if (chunkSize < MIN_CHUNK_SIZE || chunkSize > MAX_CHUNK_SIZE)
    throw badArchive(
      `encrypted archive declares chunk size ${chunkSize}, outside ${MIN_CHUNK_SIZE}..${MAX_CHUNK_SIZE}`,
    );
  const keyId = bytes.subarray(MAGIC.length + 5, MAGIC.length + 13).toString('hex');
  const baseNonce = Buffer.from(bytes.subarray(MAGIC.length + 13, HEADER_BYTES));
  return { version, chunkSize, keyId, baseNonce, bytes: Buffer.from(bytes) };
}

export function chunkNonce(header: StreamHeader, index: number): Buffer {
  const nonce = Buffer.from(header.baseNonce);
  const low = nonce.readBigUInt64BE(4) ^ BigInt(index);
  nonce.writeBigUInt64BE(low, 4);
  return nonce;
}

export function chunkAad(header: StreamHeader, index: number, final: boolean): Buffer {
  const aad = Buffer.alloc(header.bytes.length + 9);
  header.bytes.copy(aad, 0);
  aad.writeBigUInt64BE(BigInt(index), header.bytes.length);
  aad.writeUInt8(final ? 1 : 0, header.bytes.length + 8);
  return aad;
}

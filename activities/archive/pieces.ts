// Format v2's large files: cut into 4 MiB pieces, each stored once as its own sealed object whose
// name is a keyed hash of its content, so the store learns nothing from names and a backup of the
// same models again uploads nothing. A piece object is the v2 sealed format (format.ts) around one
// zstd frame (zstd-frames.ts); its plaintext's SHA-256, which the authenticated manifest lists,
// is checked on every read, so a swapped or altered piece object is refused.
import { createHmac, hkdfSync, webcrypto } from 'node:crypto';
import type { Transform } from 'node:stream';
import { promisify } from 'node:util';
import { zstdDecompress } from 'node:zlib';
import type { PieceRef } from '../../types/index.ts';
import { createDecryptStream } from './decrypt.ts';
import { createEncryptStream } from './encrypt.ts';
import { badArchive } from './failures.ts';
import { MAX_CHUNK_SIZE } from './format.ts';
import type { BackupKey } from './keys.ts';
import { LAYOUT_V2 } from './layout.ts';
import { compressFrame } from './zstd-frames.ts';

/** Bytes per piece (the last of a file may be shorter): large enough that a request's cost is small. */
export const PIECE_BYTES = 4 * 1024 * 1024;
/** Files this large or larger are stored as pieces; smaller ones stay in the archive's tar. */
export const MIN_PIECED_FILE_BYTES = 1024 * 1024;
const zstdDecompressAsync = promisify(zstdDecompress);

/** Where pieces go: they are named by `put`'s caller (pieceName), stored and counted by the sink. */
export interface PieceSink {
  /** Takes one piece; resolves once the next may be given (its upload may still be running). */
  put(piece: Buffer, ref: PieceRef): Promise<void>;
  /** Resolves once every piece put is stored; rejects with the first failure. */
  flush(): Promise<void>;
}

/** Where a reader gets a piece's plaintext, already checked against `ref` (openPiece does that). */
export interface PieceSource {
  fetch(ref: PieceRef, signal?: AbortSignal): Promise<Buffer>;
}

const nameKeys = new WeakMap<BackupKey, Buffer>();

/** The key that names pieces: derived from the backup key, never the key itself. */
function nameKey(key: BackupKey): Buffer {
  let derived = nameKeys.get(key);
  if (!derived) {
    derived = Buffer.from(hkdfSync('sha256', key.material(), Buffer.alloc(0), 'pno-backup v2 piece names', 32));
    nameKeys.set(key, derived);
  }
  return derived;
}

/** A piece's object name under the key: 64 hex digits of HMAC-SHA256 over its plaintext's digest. */
export function pieceName(key: BackupKey, sha256: string): string {
  return createHmac('sha256', nameKey(key)).update(Buffer.from(sha256, 'hex')).digest('hex');
}

/** A piece's size and SHA-256, hashed on libuv's thread pool (WebCrypto's digest runs there). */
export async function hashPiece(piece: Buffer): Promise<PieceRef> {
  const digest = await webcrypto.subtle.digest('SHA-256', piece);
  return { sha256: Buffer.from(digest).toString('hex'), size: piece.length };
}

function through(stream: Transform, data: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const out: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => out.push(chunk));
    stream.on('error', reject);
    stream.on('end', () => resolve(Buffer.concat(out)));
    stream.end(data);
  });
}

/** A piece's plaintext → the bytes of its object. */
export async function sealPiece(key: BackupKey, piece: Buffer): Promise<Buffer> {
  const frame = await compressFrame(piece);
  return through(createEncryptStream(key, { version: LAYOUT_V2.version, chunkSize: MAX_CHUNK_SIZE }), frame);
}

/** A piece object's bytes → its plaintext, refused unless it is exactly the piece `ref` names. */
export async function openPiece(key: BackupKey, sealed: Buffer, ref: PieceRef): Promise<Buffer> {
  const where = `piece ${ref.sha256.slice(0, 16)}…`;
  let frame: Buffer;
  try {
    frame = await through(createDecryptStream(key, LAYOUT_V2.version), sealed);
  } catch (err) {
    throw badArchive(`${where}: ${(err as Error).message}`);
  }
  let piece: Buffer;
  try {
    // One byte over the listed size is enough to know it is wrong, and caps what a forged frame costs.
    piece = await zstdDecompressAsync(frame, { maxOutputLength: ref.size + 1 });
  } catch (err) {
    throw badArchive(
      `${where}: content does not match the manifest (not ${ref.size} bytes of zstd: ${(err as Error).message})`,
    );
  }
  if (piece.length !== ref.size || (await hashPiece(piece)).sha256 !== ref.sha256)
    throw badArchive(`${where}: content does not match the manifest`);
  return piece;
}

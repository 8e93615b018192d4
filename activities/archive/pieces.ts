// Format v2's large files: cut into 4 MiB pieces, each stored once as its own sealed object whose
// name is a keyed hash of its content and an epoch (storage/pieces.ts says why), so the store
// cannot tell content from names and a backup of the same models again uploads nothing. A piece
// object is the v2 sealed format (format.ts) around one zstd frame (zstd-frames.ts), sealed with a
// key derived for pieces alone, so no piece can pass for an archive. Its plaintext's SHA-256, which
// the authenticated manifest lists beside the object's name, is checked on every read, so a swapped
// or altered piece object is refused.
import { createHmac, hkdfSync, webcrypto } from 'node:crypto';
import { promisify } from 'node:util';
import { zstdDecompress } from 'node:zlib';
import type { PieceRef } from '../../types/index.ts';
import { openSealedChunks } from './decrypt.ts';
import { sealBuffer } from './encrypt.ts';
import { badArchive } from './failures.ts';
import { MAX_CHUNK_SIZE } from './format.ts';
import { BackupKey } from './keys.ts';
import { LAYOUT_V2 } from './layout.ts';
import { compressFrame, rawFrameContent } from './zstd-frames.ts';

/** Bytes per piece (the last of a file may be shorter): large enough that a request's cost is small. */
export const PIECE_BYTES = 4 * 1024 * 1024;
/** Files this large or larger are stored as pieces; smaller ones stay in the archive's tar. */
export const MIN_PIECED_FILE_BYTES = 1024 * 1024;
const zstdDecompressAsync = promisify(zstdDecompress);

/** Where pieces go: the sink names, stores and counts them. */
export interface PieceSink {
  /**
   * Takes one piece (one call at a time); resolves with the name of the object that holds it once
   * the next may be given (its upload may still be running).
   */
  put(piece: Buffer, ref: { sha256: string; size: number }): Promise<string>;
  /** Whether the store holds this piece under a name it can give again without the bytes. */
  holds(ref: { sha256: string }): boolean;
  /** As `put`, for a piece it `holds`: resolves with the name of the object that holds it. */
  putAgain(ref: { sha256: string; size: number }): Promise<string>;
  /** Resolves once every piece put is stored; rejects with the first failure. */
  flush(): Promise<void>;
}

/** Where a reader gets a piece's plaintext, already checked against `ref` (openPiece does that). */
export interface PieceSource {
  fetch(ref: PieceRef, signal?: AbortSignal): Promise<Buffer>;
}

const derivedKeys = new WeakMap<BackupKey, { names: Buffer; sealing: BackupKey }>();

/** The keys pieces use, derived from the backup key (HKDF-SHA256): one names them, one seals them. */
function pieceKeys(key: BackupKey): { names: Buffer; sealing: BackupKey } {
  let derived = derivedKeys.get(key);
  if (!derived) {
    const derive = (info: string) => Buffer.from(hkdfSync('sha256', key.material(), Buffer.alloc(0), info, 32));
    derived = {
      names: derive('pno-backup v2 piece names'),
      sealing: new BackupKey(derive('pno-backup v2 piece sealing')),
    };
    derivedKeys.set(key, derived);
  }
  return derived;
}

/** A piece's object name: 64 hex digits of HMAC-SHA256 over its plaintext's digest and the epoch (u64). */
export function pieceName(key: BackupKey, sha256: string, epoch: number): string {
  const epochBytes = Buffer.alloc(8);
  epochBytes.writeBigUInt64BE(BigInt(epoch));
  return createHmac('sha256', pieceKeys(key).names)
    .update(Buffer.concat([Buffer.from(sha256, 'hex'), epochBytes]))
    .digest('hex');
}

/** A piece's size and SHA-256, hashed on libuv's thread pool (WebCrypto's digest runs there). */
export async function hashPiece(piece: Buffer): Promise<{ sha256: string; size: number }> {
  const digest = await webcrypto.subtle.digest('SHA-256', piece);
  return { sha256: Buffer.from(digest).toString('hex'), size: piece.length };
}

/** A piece's plaintext → the bytes of its object. */
export async function sealPiece(key: BackupKey, piece: Buffer): Promise<Buffer> {
  const frame = await compressFrame(piece);
  return sealBuffer(pieceKeys(key).sealing, frame, { version: LAYOUT_V2.version, chunkSize: MAX_CHUNK_SIZE });
}

/** A piece object's bytes → its plaintext, refused unless it is exactly the piece `ref` names. */
export async function openPiece(key: BackupKey, sealed: Buffer, ref: PieceRef): Promise<Buffer> {
  const where = `piece ${ref.object}`;
  let frame: Buffer[];
  try {
    frame = openSealedChunks(pieceKeys(key).sealing, sealed, LAYOUT_V2.version);
  } catch (err) {
    throw badArchive(`${where}: ${(err as Error).message}`);
  }
  let piece = rawFrameContent(frame, ref.size);
  if (!piece) {
    try {
      // One byte over the listed size is enough to know it is wrong, and caps what a forged frame costs.
      // One output chunk large enough for the piece: zlib hands it back as it is, with no concatenation.
      piece = await zstdDecompressAsync(frame.length === 1 ? frame[0]! : Buffer.concat(frame), {
        maxOutputLength: ref.size + 1,
        chunkSize: Math.max(64, ref.size + 1),
      });
    } catch (err) {
      throw badArchive(
        `${where}: content does not match the manifest (not ${ref.size} bytes of zstd: ${(err as Error).message})`,
      );
    }
  }
  if (piece.length !== ref.size || (await hashPiece(piece)).sha256 !== ref.sha256)
    throw badArchive(`${where}: content does not match the manifest`);
  return piece;
}

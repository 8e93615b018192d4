// Pieces in the bucket (format v2, see activities/archive/pieces.ts): `<prefix>pieces/<name>`, one
// object per distinct 4 MiB of large files. A backup uploads only the pieces the store lacks;
// retention deletes a piece only once no kept backup names it and it is older than PIECE_GRACE_MS.
//
// Why a backup in flight never loses a piece. A piece's name includes the epoch (PIECE_EPOCH_MS of
// time) it was written in. A backup names in its manifest either (a) an object it wrote or copied
// itself, always under the current epoch's name, so never one a retention run may be deleting (that
// takes an object older than two epochs), or (b) a listed object younger than one epoch when the
// backup listed the store. Retention lists the pieces before it reads the kept manifests and deletes
// only objects older than two epochs (by its own clock, never a caller's date): so it could delete
// a (b) object only if it listed the store more than an epoch after the backup did. The backup
// refuses to finish more than MAX_LISTING_AGE_MS after its listing, so by then its archive is in the
// store, among the manifests retention reads. An aging piece is copied forward server-side to the
// current epoch's name: no upload, and the old object goes once nothing names it.
import { CopyObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { FailureType, type PieceRef } from '../../types/index.ts';
import {
  badArchive,
  formatLabel,
  LAYOUT_V2,
  openPiece,
  PIECE_BYTES,
  pieceName,
  sealPiece,
  type BackupKey,
  type PieceSink,
  type PieceSource,
} from '../archive/index.ts';
import { ApplicationFailure } from '@temporalio/common';
import { openObject } from './download.ts';
import { s3Call } from './errors.ts';
import { METADATA_FORMAT, METADATA_KEY_ID } from './metadata.ts';

const HOUR_MS = 60 * 60 * 1000;
/** 3.5 days: nightly backups reuse pieces for three nights, then copy them forward once. */
export const PIECE_EPOCH_MS = 84 * HOUR_MS;
/** Retention deletes an unnamed piece only once it is older than two epochs (7 days). */
export const PIECE_GRACE_MS = 2 * PIECE_EPOCH_MS;
/** A backup must finish within this of listing the store (the activity's own limit is 2 hours). */
export const MAX_LISTING_AGE_MS = PIECE_EPOCH_MS - 12 * HOUR_MS;

export function pieceEpoch(at: Date): number {
  return Math.floor(at.getTime() / PIECE_EPOCH_MS);
}
/** The most a piece object can be: a piece stored raw, its zstd and seal framing. */
const MAX_PIECE_OBJECT_BYTES = PIECE_BYTES + 64 * 1024;

export function piecesPrefix(normalizedPrefix: string): string {
  return `${normalizedPrefix}pieces/`;
}

/** The prefix a backup's object key lives under (`pno/backups/` for `pno/backups/x.tar.gz.enc`). */
export function prefixOfObjectKey(key: string): string {
  return key.slice(0, key.lastIndexOf('/') + 1);
}

export interface StoredPiece {
  lastModified: Date;
  size: number;
}

/** Every piece under the prefix, by name. */
export async function listPieces(
  s3: S3Client,
  bucket: string,
  normalizedPrefix: string,
  signal?: AbortSignal,
): Promise<Map<string, StoredPiece>> {
  const prefix = piecesPrefix(normalizedPrefix);
  const found = new Map<string, StoredPiece>();
  let token: string | undefined;
  do {
    const page = await s3Call(`list s3://${bucket}/${prefix}`, () =>
      s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }), {
        abortSignal: signal,
      }),
    );
    for (const object of page.Contents ?? []) {
      const name = object.Key?.slice(prefix.length);
      if (!name || !/^[0-9a-f]{64}$/.test(name) || !object.LastModified) continue;
      found.set(name, { lastModified: object.LastModified, size: object.Size ?? 0 });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return found;
}

export interface PieceStoreOptions {
  s3: S3Client;
  bucket: string;
  normalizedPrefix: string;
  key: BackupKey;
  signal?: AbortSignal;
  /** Uploads at once (default 3): the store's latency hidden (2: ~10% slower full backups here); each holds ~8 MiB. */
  concurrency?: number;
  /** The clock reuse is judged by; defaults to now. */
  now?: Date;
  /** Called with each stored piece object's size, once the store has acknowledged it. */
  onStored?: (bytes: number) => void;
}

export interface PieceStats {
  /** Uploaded, and their sealed bytes. */
  stored: number;
  storedBytes: number;
  /** Already in the store, young enough to name as they are. */
  reused: number;
  /** Already in the store but aging: copied forward by the store itself, nothing uploaded. */
  copied: number;
}

/** Lists what the store holds, then takes pieces: each distinct one stored once, unless reusable. */
export async function openPieceStore(options: PieceStoreOptions): Promise<PieceSink & { stats(): PieceStats }> {
  const { s3, bucket, key, signal } = options;
  const known = await listPieces(s3, bucket, options.normalizedPrefix, signal);
  const listedAt = performance.now();
  const now = options.now ?? new Date();
  const epoch = pieceEpoch(now);
  const limit = options.concurrency ?? 3;
  const decided = new Map<string, string>();
  const running = new Set<Promise<void>>();
  const stats: PieceStats = { stored: 0, storedBytes: 0, reused: 0, copied: 0 };
  const objectKey = (name: string) => `${piecesPrefix(options.normalizedPrefix)}${name}`;
  const young = (name: string) => {
    const listed = known.get(name);
    return listed !== undefined && now.getTime() - listed.lastModified.getTime() < PIECE_EPOCH_MS;
  };
  let failure: unknown;

  const upload = async (name: string, piece: Buffer) => {
    const body = await sealPiece(key, piece);
    await s3Call(`upload s3://${bucket}/${objectKey(name)}`, () =>
      s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: objectKey(name),
          Body: body,
          ContentLength: body.length,
          ContentType: 'application/octet-stream',
          Metadata: { [METADATA_KEY_ID]: key.id, [METADATA_FORMAT]: formatLabel(LAYOUT_V2.version) },
        }),
        { abortSignal: signal },
      ),
    );
    stats.stored += 1;
    stats.storedBytes += body.length;
    options.onStored?.(body.length);
  };
  /** The store copies the aging object to the current name; if it went meanwhile, upload the bytes. */
  const copyForward = async (from: string, name: string, piece: Buffer | undefined) => {
    try {
      await s3Call(`copy s3://${bucket}/${objectKey(from)}`, () =>
        s3.send(
          new CopyObjectCommand({
            Bucket: bucket,
            Key: objectKey(name),
            CopySource: `${bucket}/${objectKey(from)}`,
            MetadataDirective: 'COPY',
          }),
          { abortSignal: signal },
        ),
      );
      stats.copied += 1;
    } catch (err) {
      if (!(err instanceof ApplicationFailure && err.type === FailureType.notFound)) throw err;
      // Gone since the listing (deleted by hand): a file not read again cannot be uploaded; a retry reads it.
      if (!piece) throw new Error(`piece ${from} left the store during the backup; a retry reads its file again`);
      await upload(name, piece);
    }
  };
  const settled = () => Promise.all([...running].map((task) => task.catch(() => undefined)));

  type Placement = { kind: 'reuse' | 'copy' | 'upload'; name: string; from?: string };
  /** Where a piece goes: a name already stored, an aging object to copy forward, or an upload. */
  const placement = (sha256: string): Placement => {
    const name = pieceName(key, sha256, epoch);
    if (young(name)) return { kind: 'reuse', name };
    const previous = pieceName(key, sha256, epoch - 1);
    if (young(previous)) return { kind: 'reuse', name: previous };
    // An aging copy from the last two epochs is copied forward rather than uploaded again.
    const aging = [previous, pieceName(key, sha256, epoch - 2)].find((n) => known.has(n));
    return aging ? { kind: 'copy', name, from: aging } : { kind: 'upload', name };
  };
  const start = async (work: () => Promise<void>) => {
    while (running.size >= limit) await Promise.race([...running].map((task) => task.catch(() => undefined)));
    if (failure !== undefined) throw failure;
    const task: Promise<void> = work().then(
      () => void running.delete(task),
      (err: unknown) => {
        failure ??= err;
        running.delete(task);
      },
    );
    running.add(task);
  };
  /** Names the piece, starting its copy or upload where needed; without `piece` no upload may be. */
  const place = async (sha256: string, piece?: Buffer): Promise<string> => {
    if (failure !== undefined) throw failure;
    const already = decided.get(sha256);
    if (already) return already;
    const where = placement(sha256);
    if (where.kind === 'upload' && !piece) throw new Error(`piece ${sha256}: not in the store, and not read`);
    decided.set(sha256, where.name);
    if (where.kind === 'reuse') stats.reused += 1;
    else if (where.kind === 'copy') await start(() => copyForward(where.from!, where.name, piece));
    else await start(() => upload(where.name, piece!));
    return where.name;
  };

  return {
    put: (piece, ref) => place(ref.sha256, piece),
    holds: (ref) => decided.has(ref.sha256) || placement(ref.sha256).kind !== 'upload',
    putAgain: (ref) => place(ref.sha256),
    async flush() {
      await settled();
      if (failure !== undefined) throw failure;
      const age = performance.now() - listedAt;
      if (age > MAX_LISTING_AGE_MS)
        throw new Error(
          `the backup listed its pieces ${Math.round(age / HOUR_MS)} hours ago, longer than a backup may take to be sure retention leaves them; a retry lists them again`,
        );
    },
    stats: () => ({ ...stats }),
  };
}

/** Reads the pieces an archive sealed with `key` names, counting what it downloads. */
export function pieceSource(options: {
  s3: S3Client;
  bucket: string;
  normalizedPrefix: string;
  key: BackupKey;
}): PieceSource & { downloadedBytes(): number; downloaded(): number } {
  const { s3, bucket, key } = options;
  let downloaded = 0;
  let count = 0;
  // Download buffers, reused: a fresh 4 MiB per piece costs the kernel's page zeroing and V8's
  // external-memory collections, and holds memory until the next one.
  const spare: Buffer[] = [];
  return {
    async fetch(ref: PieceRef, signal?: AbortSignal) {
      const objectKey = `${piecesPrefix(options.normalizedPrefix)}${ref.object}`;
      const where = `s3://${bucket}/${objectKey}`;
      let bytes: Buffer;
      let buffer: Buffer | undefined;
      try {
        const object = await openObject(s3, bucket, objectKey, signal);
        if (object.contentLength > MAX_PIECE_OBJECT_BYTES) {
          object.close();
          throw badArchive(`${where}: ${object.contentLength} bytes, more than a piece can be`);
        }
        if (object.contentLength < 0) {
          object.close();
          throw new Error(`${where}: the store sent no Content-Length`);
        }
        // Into one buffer of the announced length (openObject fails a body shorter than it).
        buffer = spare.pop() ?? Buffer.allocUnsafe(MAX_PIECE_OBJECT_BYTES);
        bytes = buffer.subarray(0, object.contentLength);
        let at = 0;
        for await (const chunk of object.body) {
          if (at + chunk.length > bytes.length) throw new Error(`${where}: body longer than its Content-Length`);
          bytes.set(chunk, at);
          at += chunk.length;
        }
        downloaded += object.received();
        count += 1;
      } catch (err) {
        if (buffer) spare.push(buffer);
        if (err instanceof ApplicationFailure && err.type === FailureType.notFound)
          throw badArchive(`${where}: the piece is missing from the store (the backup is incomplete)`);
        throw err;
      }
      try {
        return await openPiece(key, bytes, ref);
      } catch (err) {
        throw err instanceof ApplicationFailure ? badArchive(`${where}: ${err.message}`) : err;
      } finally {
        // openPiece returns its own bytes, none of the sealed ones.
        spare.push(buffer);
      }
    },
    downloadedBytes: () => downloaded,
    downloaded: () => count,
  };
}

// Pieces in the bucket (format v2, see activities/archive/pieces.ts): `<prefix>pieces/<name>`, one
// object per distinct 4 MiB of large files. A backup uploads only the pieces the store lacks;
// retention deletes a piece only once no kept backup names it and it is older than PIECE_GRACE_MS.
//
// Why a backup in flight never loses a piece: it reuses a listed piece only if the piece is younger
// than half the grace period, and uploads it again otherwise (a fresh copy). Retention lists pieces
// before it reads the kept archives' manifests, and deletes a piece only if it was older than the
// grace period then. So a piece a backup reused is deleted only if retention listed it more than
// half a grace period after the backup did; the backup activity's 2-hour limit ends that attempt
// long before, and its archive, naming the piece, is then among those retention reads.
import { ListObjectsV2Command, PutObjectCommand, GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
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
import { classifyS3Error, s3Call } from './errors.ts';
import { METADATA_FORMAT, METADATA_KEY_ID } from './metadata.ts';

/** 48 hours: far above the backup activity's 2-hour limit, the condition the argument above needs. */
export const PIECE_GRACE_MS = 48 * 60 * 60 * 1000;
/** A piece older than this is uploaded again rather than reused. */
export const PIECE_REUSE_MS = PIECE_GRACE_MS / 2;
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
  /** Uploads at once (default 3): both cores busy compressing and sealing, the store's latency hidden. */
  concurrency?: number;
  /** The clock reuse is judged by; defaults to now. */
  now?: Date;
  /** Called with each stored piece object's size, once the store has acknowledged it. */
  onStored?: (bytes: number) => void;
}

export interface PieceStats {
  stored: number;
  storedBytes: number;
  reused: number;
}

/** Lists what the store holds, then takes pieces: each distinct one uploaded once, unless reusable. */
export async function openPieceStore(options: PieceStoreOptions): Promise<PieceSink & { stats(): PieceStats }> {
  const { s3, bucket, key, signal } = options;
  const known = await listPieces(s3, bucket, options.normalizedPrefix, signal);
  const now = (options.now ?? new Date()).getTime();
  const limit = options.concurrency ?? 3;
  const decided = new Set<string>();
  const running = new Set<Promise<void>>();
  const stats: PieceStats = { stored: 0, storedBytes: 0, reused: 0 };
  let failure: unknown;

  const upload = async (name: string, piece: Buffer) => {
    const body = await sealPiece(key, piece);
    const objectKey = `${piecesPrefix(options.normalizedPrefix)}${name}`;
    await s3Call(`upload s3://${bucket}/${objectKey}`, () =>
      s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: objectKey,
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
  const settled = () => Promise.all([...running].map((task) => task.catch(() => undefined)));

  return {
    async put(piece: Buffer, ref: PieceRef) {
      if (failure !== undefined) throw failure;
      const name = pieceName(key, ref.sha256);
      if (decided.has(name)) return void (stats.reused += 1);
      decided.add(name);
      const listed = known.get(name);
      if (listed && now - listed.lastModified.getTime() < PIECE_REUSE_MS) return void (stats.reused += 1);
      while (running.size >= limit) await Promise.race([...running].map((task) => task.catch(() => undefined)));
      if (failure !== undefined) throw failure;
      const task: Promise<void> = upload(name, piece).then(
        () => void running.delete(task),
        (err: unknown) => {
          failure ??= err;
          running.delete(task);
        },
      );
      running.add(task);
    },
    async flush() {
      await settled();
      if (failure !== undefined) throw failure;
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
  return {
    async fetch(ref: PieceRef, signal?: AbortSignal) {
      const objectKey = `${piecesPrefix(options.normalizedPrefix)}${pieceName(key, ref.sha256)}`;
      const where = `download s3://${bucket}/${objectKey}`;
      let bytes: Buffer;
      try {
        const response = await s3Call(where, () =>
          s3.send(new GetObjectCommand({ Bucket: bucket, Key: objectKey }), { abortSignal: signal }),
        );
        if ((response.ContentLength ?? 0) > MAX_PIECE_OBJECT_BYTES)
          throw badArchive(`${where}: ${response.ContentLength} bytes, more than a piece can be`);
        const chunks: Buffer[] = [];
        let received = 0;
        try {
          for await (const chunk of response.Body as Readable) {
            received += (chunk as Buffer).length;
            if (received > MAX_PIECE_OBJECT_BYTES) throw badArchive(`${where}: more bytes than a piece can be`);
            chunks.push(chunk as Buffer);
          }
        } catch (err) {
          throw classifyS3Error(err, where);
        }
        if (response.ContentLength !== undefined && received !== response.ContentLength)
          throw new Error(`${where}: connection ended after ${received} of ${response.ContentLength} bytes`);
        bytes = Buffer.concat(chunks);
        downloaded += received;
        count += 1;
      } catch (err) {
        if (err instanceof ApplicationFailure && err.type === FailureType.notFound)
          throw badArchive(`${where}: the piece is missing from the store (the backup is incomplete)`);
        throw err;
      }
      return openPiece(key, bytes, ref);
    },
    downloadedBytes: () => downloaded,
    downloaded: () => count,
  };
}

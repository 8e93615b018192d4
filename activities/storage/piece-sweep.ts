// Retention's second half: deletes the pieces (format v2) that no kept backup names, once they are
// older than the grace period (pieces.ts says why that keeps every backup in flight whole). It
// lists the pieces first and reads the kept archives' manifests after, and deletes nothing when it
// cannot read one of them: a piece is only ever deleted on proof that nothing kept needs it.
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType, type PieceSweep } from '../../types/index.ts';
import { LAYOUT_V1, type BackupKey } from '../archive/index.ts';
import { openChunk } from '../archive/decrypt.ts';
import { decodeHeader, HEADER_BYTES, preludeVersion, TAG_BYTES } from '../archive/format.ts';
import { readBackup } from './backup.ts';
import { s3Call } from './errors.ts';
import { listBackups } from './listing.ts';
import { listPieces, PIECE_GRACE_MS, piecesPrefix } from './pieces.ts';
import { deleteKeys } from './delete-keys.ts';

export interface PieceSweepOptions {
  /** The worker's keys, current first: every kept archive must be readable with one. */
  keys: BackupKey[];
  /** Archives being deleted by this run: what they name does not keep a piece. */
  deleting: ReadonlySet<string>;
  /** What "older than the grace period" is measured from. */
  now: Date;
  dryRun: boolean;
  signal?: AbortSignal;
  onProgress?: (progress: { readingBackup: string }) => void;
}

export async function sweepPieces(
  s3: S3Client,
  bucket: string,
  normalizedPrefix: string,
  options: PieceSweepOptions,
): Promise<PieceSweep> {
  const { keys, signal } = options;
  // Listed before any manifest is read: the order the grace-period argument needs.
  const stored = await listPieces(s3, bucket, normalizedPrefix, signal);
  const nothing = (skipped?: string): PieceSweep => ({
    deleted: 0,
    deletedBytes: 0,
    kept: stored.size,
    ...(skipped ? { skipped } : {}),
  });
  if (stored.size === 0) return nothing();
  if (keys.length === 0) return nothing('no backup key on this worker: the kept backups cannot be read');

  const named = new Set<string>();
  for (const archive of await listBackups(s3, bucket, normalizedPrefix, signal)) {
    if (options.deleting.has(archive.key)) continue;
    options.onProgress?.({ readingBackup: archive.key });
    try {
      if (await namesNoPieces(s3, bucket, archive.key, keys, signal)) continue;
      const read = await readBackup({
        s3,
        bucket,
        key: archive.key,
        keyMaterial: keys[0]!,
        retiredKeys: keys.slice(1),
        skipPieces: true,
        signal,
      });
      for (const entry of read.fullManifest.entries) for (const piece of entry.pieces ?? []) named.add(piece.object);
    } catch (err) {
      // Deleted meanwhile (another retention run): it keeps nothing.
      if (err instanceof ApplicationFailure && err.type === FailureType.notFound) continue;
      if (signal?.aborted) throw signal.reason;
      return nothing(`cannot read ${archive.key} (${(err as Error).message}); no piece deleted`);
    }
  }

  const cutoff = options.now.getTime() - PIECE_GRACE_MS;
  const unneeded = [...stored].filter(([name, piece]) => !named.has(name) && piece.lastModified.getTime() < cutoff);
  if (!options.dryRun)
    await deleteKeys(
      s3,
      bucket,
      unneeded.map(([name]) => `${piecesPrefix(normalizedPrefix)}${name}`),
      signal,
    );
  return {
    deleted: unneeded.length,
    deletedBytes: unneeded.reduce((sum, [, piece]) => sum + piece.size, 0),
    kept: stored.size - unneeded.length,
  };
}

/**
 * A v1 archive holds everything in its tar: no need to read it whole. Its version is trusted only
 * once chunk 0 has authenticated (its tag covers the header, version byte included): a relabelled v2
 * archive must not lose its pieces.
 */
async function namesNoPieces(
  s3: S3Client,
  bucket: string,
  key: string,
  keys: BackupKey[],
  signal?: AbortSignal,
): Promise<boolean> {
  const read = async (from: number, to: number) => {
    const response = await s3Call(`download s3://${bucket}/${key}`, () =>
      s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=${from}-${to}` }), {
        abortSignal: signal,
      }),
    );
    const total = Number(/\/(\d+)$/.exec(response.ContentRange ?? '')?.[1] ?? -1);
    return { bytes: Buffer.from(await response.Body!.transformToByteArray()), total };
  };
  const head = await read(0, HEADER_BYTES - 1);
  if (head.bytes.length < HEADER_BYTES || preludeVersion(head.bytes) !== LAYOUT_V1.version) return false;
  const header = decodeHeader(head.bytes, LAYOUT_V1.version);
  const sealing = keys.find((k) => k.id === header.keyId);
  if (!sealing) return false;
  const chunk = await read(HEADER_BYTES, HEADER_BYTES + header.chunkSize + TAG_BYTES - 1);
  const final = HEADER_BYTES + chunk.bytes.length >= head.total;
  try {
    openChunk(sealing, header, 0, chunk.bytes, final);
    return true;
  } catch {
    return false;
  }
}

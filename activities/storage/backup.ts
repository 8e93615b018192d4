// A backup end to end: entries → tar → zstd → encryption → multipart upload, one stream with no temp
// file, large files as pieces uploaded beside it only where the store lacks them; and its
// verification: download → authenticate → unpack → fetch the pieces → check against the manifest.
import type { S3Client } from '@aws-sdk/client-s3';
import type { ArchiveLimits, BackupManifest, VerifyBackupResult } from '../../types/index.ts';
import {
  badArchive,
  createSealedArchive,
  FORMAT_VERSION,
  formatLabel,
  formatReaderFor,
  productVersion,
  readArchive,
  summarizeManifest,
  earlierBackup,
  NO_EARLIER_BACKUP,
  type BackupKey,
  type EarlierBackup,
  type SourceEntry,
  type EntryConsumer,
  type ManifestInfo,
  versionOfLabel,
} from '../archive/index.ts';
import { openObject } from './download.ts';
import { readEarlierManifest } from './earlier-backup.ts';
import { openPieceStore, pieceSource, prefixOfObjectKey, type PieceStats } from './pieces.ts';
import { uploadStream } from './upload.ts';

import { METADATA_FORMAT, METADATA_KEY_ID } from './metadata.ts';

export { METADATA_FORMAT, METADATA_KEY_ID };

export interface BackupProgress {
  entries: number;
  /** Plaintext bytes packed. */
  bytes: number;
  /** Encrypted bytes the store has acknowledged: the archive's and its pieces'. */
  uploadedBytes: number;
}

export interface WriteBackupOptions {
  s3: S3Client;
  bucket: string;
  /** The object key; use objectKeyFor(prefix, workflowId) so a retry overwrites. */
  key: string;
  /** The files, or a function of the earlier backup giving them (a source that can skip unchanged files). */
  entries:
    AsyncIterable<SourceEntry> | Iterable<SourceEntry> | ((earlier: EarlierBackup) => AsyncIterable<SourceEntry>);
  keyMaterial: BackupKey;
  manifest: Omit<ManifestInfo, 'productVersion'> & { productVersion?: string };
  onProgress?: (progress: BackupProgress) => void;
  signal?: AbortSignal;
  zstdLevel?: number;
  /** The clock piece reuse is judged by (tests); defaults to now. */
  now?: Date;
  partSize?: number;
  queueSize?: number;
}

export interface WriteBackupResult {
  bucket: string;
  key: string;
  keyId: string;
  objectBytes: number;
  /** The manifest as stored in the archive. Its per-entry digests stay out of workflow history; return summarizeManifest(manifest). */
  manifest: BackupManifest;
  /** Pieces uploaded (and their sealed bytes) and pieces the store already held. */
  pieces: PieceStats;
  /** Large files the source reported unchanged since `comparedWith`, named again without being read. */
  unchanged: { files: number; bytes: number };
  /** The earlier backup the source was compared with, or why none was. */
  comparedWith: { key?: string; unusable?: string };
}

export async function writeBackup(options: WriteBackupOptions): Promise<WriteBackupResult> {
  const { s3, bucket, key, keyMaterial, signal } = options;
  signal?.throwIfAborted();
  const progress: BackupProgress = { entries: 0, bytes: 0, uploadedBytes: 0 };
  const uploaded = { archive: 0, pieces: 0 };
  const reportUpload = () => {
    progress.uploadedBytes = uploaded.archive + uploaded.pieces;
    options.onProgress?.(progress);
  };
  const pieces = await openPieceStore({
    s3,
    bucket,
    normalizedPrefix: prefixOfObjectKey(key),
    key: keyMaterial,
    signal,
    now: options.now,
    onStored: (bytes) => {
      uploaded.pieces += bytes;
      reportUpload();
    },
  });
  let earlier: EarlierBackup = NO_EARLIER_BACKUP;
  let comparedWith: { key?: string; unusable?: string } = { unusable: 'the source does not compare' };
  if (typeof options.entries === 'function') {
    const found = await readEarlierManifest({
      s3,
      bucket,
      key,
      keyMaterial,
      namespace: options.manifest.namespace,
      signal,
      read: async (earlierKey, etag) =>
        (await readBackup({ s3, bucket, key: earlierKey, keyMaterial, ifMatch: etag, skipPieces: true, signal }))
          .fullManifest,
    });
    if ('manifest' in found) earlier = earlierBackup(found.manifest, pieces);
    comparedWith = 'manifest' in found ? { key: found.key } : found;
  }
  const archive = createSealedArchive(
    typeof options.entries === 'function' ? options.entries(earlier) : options.entries,
    { ...options.manifest, productVersion: options.manifest.productVersion ?? productVersion() },
    keyMaterial,
    {
      zstdLevel: options.zstdLevel,
      pieces,
      earlier,
      onProgress: (p) => {
        progress.entries = p.entries;
        progress.bytes = p.bytes;
        options.onProgress?.(progress);
      },
    },
  );
  let first: unknown;
  const note = (err: unknown) => {
    first ??= err;
    throw err;
  };
  const [manifest] = await Promise.allSettled([
    archive.manifest.catch(note),
    uploadStream({
      s3,
      bucket,
      key,
      body: archive.stream,
      metadata: { [METADATA_KEY_ID]: keyMaterial.id, [METADATA_FORMAT]: formatLabel(FORMAT_VERSION) },
      onProgress: (bytes) => {
        uploaded.archive = bytes;
        reportUpload();
      },
      signal,
      partSize: options.partSize,
      queueSize: options.queueSize,
    }).catch(note),
  ]);
  // Pieces still uploading when something failed finish (or fail) before this returns: no work outlives it.
  await pieces.flush().catch(() => undefined);
  if (signal?.aborted) throw signal.reason;
  if (first !== undefined || manifest.status === 'rejected') throw first;
  return {
    bucket,
    key,
    keyId: keyMaterial.id,
    objectBytes: archive.sealedBytes(),
    manifest: manifest.value,
    pieces: pieces.stats(),
    unchanged: { ...archive.unchanged },
    comparedWith,
  };
}

export interface VerifyOptions {
  s3: S3Client;
  bucket: string;
  key: string;
  keyMaterial: BackupKey;
  limits?: Partial<ArchiveLimits>;
  /** Read only this version of the object (a recovery pins the ETag it first read). */
  ifMatch?: string;
  /** Older keys, picked by the key id the object was sealed with (key rotation). */
  retiredKeys?: BackupKey[];
  /** Receives each entry's bytes (already authenticated); stage them, act after this resolves. */
  onEntry?: EntryConsumer;
  onProgress?: (progress: { entries: number; bytes: number; downloadedBytes: number }) => void;
  signal?: AbortSignal;
  /** Read the archive and its manifest, but not the pieces it names (retention only needs the names). */
  skipPieces?: boolean;
}

/** Reads the object back through the safe reader; resolves only if every check passed. */
export async function readBackup(
  options: VerifyOptions,
): Promise<VerifyBackupResult & { fullManifest: BackupManifest; etag: string }> {
  const { s3, bucket, key, signal } = options;
  const object = await openObject(s3, bucket, key, signal, options.ifMatch);
  const where = `s3://${bucket}/${key}`;
  const format = object.metadata[METADATA_FORMAT];
  const sealedWith = object.metadata[METADATA_KEY_ID];
  // The current key first; a retired one only for what it sealed.
  const keyring = [options.keyMaterial, ...(options.retiredKeys ?? [])];
  const keyMaterial = keyring.find((k) => k.id === sealedWith) ?? options.keyMaterial;
  // Cheap early refusals from metadata; the reader still dispatches on the archive's own header.
  try {
    if (format !== undefined) {
      const version = versionOfLabel(format);
      if (version === undefined)
        throw badArchive(`${where}: format ${JSON.stringify(format)} is not a PNO backup format`);
      formatReaderFor(version, where);
    }
    if (sealedWith !== undefined && !keyring.some((k) => k.id === sealedWith)) {
      const loaded = keyring.map((k) => k.id).join(', ');
      throw badArchive(`${where}: sealed with key ${sealedWith}; the loaded keys are ${loaded}`);
    }
  } catch (err) {
    object.close();
    throw err;
  }
  const pieces = pieceSource({ s3, bucket, normalizedPrefix: prefixOfObjectKey(key), key: keyMaterial });
  const downloaded = () => object.received() + pieces.downloadedBytes();
  const result = await readArchive(object.body, {
    key: keyMaterial,
    limits: options.limits,
    onEntry: options.onEntry,
    signal,
    pieces: options.skipPieces ? 'skip' : pieces,
    onProgress: (p) => options.onProgress?.({ ...p, downloadedBytes: downloaded() }),
  });
  return {
    bucket,
    key,
    keyId: result.keyId,
    objectBytes: object.received(),
    pieces: pieces.downloaded(),
    pieceBytes: pieces.downloadedBytes(),
    entries: result.entries,
    bytes: result.bytes,
    manifest: summarizeManifest(result.manifest),
    fullManifest: result.manifest,
    etag: object.etag,
  };
}

// Finds the backup a new one is compared with: the newest other archive under the same prefix of the
// same namespace (among the newest few) and format v2 (older formats record no change tokens). It is read back in
// full through the safe reader, pieces aside, so only an authenticated manifest vouches for a file.
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ApplicationFailure } from '@temporalio/common';
import type { BackupManifest } from '../../types/index.ts';
import { formatLabel, LAYOUT_V2, type BackupKey } from '../archive/index.ts';
import { s3Call } from './errors.ts';
import { listBackups, newestFirst } from './listing.ts';
import { METADATA_FORMAT } from './metadata.ts';
import { prefixOfObjectKey } from './pieces.ts';

/** Backups of other namespaces may share the prefix: the newest few are looked at, not more. */
const CANDIDATES = 3;

export type EarlierManifest = { key: string; manifest: BackupManifest } | { key?: string; unusable: string };

export async function readEarlierManifest(options: {
  s3: S3Client;
  bucket: string;
  /** The new backup's key: its prefix is searched, and an object under this key (a retry's) is not used. */
  key: string;
  keyMaterial: BackupKey;
  namespace: string;
  signal?: AbortSignal;
  read: (key: string, etag: string) => Promise<BackupManifest>;
}): Promise<EarlierManifest> {
  const { s3, bucket, signal } = options;
  const candidates = newestFirst(await listBackups(s3, bucket, prefixOfObjectKey(options.key), signal))
    .filter((b) => b.key !== options.key)
    .slice(0, CANDIDATES);
  let unusable: EarlierManifest = { unusable: 'no earlier backup' };
  for (const { key } of candidates) {
    try {
      const head = await s3Call(`head s3://${bucket}/${key}`, () =>
        s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal }),
      );
      // Older formats record no tokens, and what is older still is no nearer.
      if (head.Metadata?.[METADATA_FORMAT] !== formatLabel(LAYOUT_V2.version))
        return { key, unusable: 'not format v2' };
      const manifest = await options.read(key, head.ETag ?? '');
      if (manifest.namespace === options.namespace) return { key, manifest };
      unusable = { key, unusable: `a backup of namespace ${manifest.namespace}` };
    } catch (err) {
      // Permanent (tampered, another key, gone): back up in full. Transient ones fail the attempt.
      if (err instanceof ApplicationFailure) return { key, unusable: err.message };
      throw err;
    }
  }
  return unusable;
}

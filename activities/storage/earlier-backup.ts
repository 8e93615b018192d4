// Finds the backup a new one is compared with: the newest other archive under the same prefix, of
// the same namespace and format v2 (older formats record no change tokens). It is read back in
// full through the safe reader, pieces aside, so only an authenticated manifest vouches for a file.
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ApplicationFailure } from '@temporalio/common';
import type { BackupManifest } from '../../types/index.ts';
import { formatLabel, LAYOUT_V2, type BackupKey } from '../archive/index.ts';
import { s3Call } from './errors.ts';
import { listBackups, newestFirst } from './listing.ts';
import { METADATA_FORMAT } from './metadata.ts';

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
  const prefix = options.key.slice(0, options.key.lastIndexOf('/') + 1);
  const newest = newestFirst(await listBackups(s3, bucket, prefix, signal)).find((b) => b.key !== options.key);
  if (!newest) return { unusable: 'no earlier backup' };
  try {
    const head = await s3Call(`head s3://${bucket}/${newest.key}`, () =>
      s3.send(new HeadObjectCommand({ Bucket: bucket, Key: newest.key }), { abortSignal: signal }),
    );
    if (head.Metadata?.[METADATA_FORMAT] !== formatLabel(LAYOUT_V2.version))
      return { key: newest.key, unusable: 'not format v2' };
    const manifest = await options.read(newest.key, head.ETag ?? '');
    if (manifest.namespace !== options.namespace)
      return { key: newest.key, unusable: `a backup of namespace ${manifest.namespace}` };
    return { key: newest.key, manifest };
  } catch (err) {
    // Permanent (tampered, another key, gone): back up in full. Transient ones fail the attempt.
    if (err instanceof ApplicationFailure) return { key: newest.key, unusable: err.message };
    throw err;
  }
}

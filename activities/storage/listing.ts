// The backups under a prefix, as the store lists them. Pages are followed to the end; the loop is
// bounded by the store's continuation tokens, and each page holds at most 1000 keys.
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { StoredBackup } from '../../types/index.ts';
import { s3Call } from './errors.ts';
import { isBackupKey, normalizePrefix } from './object-keys.ts';

export async function listBackups(
  s3: S3Client,
  bucket: string,
  prefix: string,
  signal?: AbortSignal,
): Promise<StoredBackup[]> {
  const normalized = normalizePrefix(prefix);
  const found: StoredBackup[] = [];
  let token: string | undefined;
  do {
    const page = await s3Call(`list s3://${bucket}/${normalized}`, () =>
      s3.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: normalized, Delimiter: '/', ContinuationToken: token }),
        { abortSignal: signal },
      ),
    );
    for (const object of page.Contents ?? []) {
      if (!object.Key || !object.LastModified || !isBackupKey(normalized, object.Key)) continue;
      found.push({ key: object.Key, lastModified: object.LastModified.toISOString(), size: object.Size ?? 0 });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return found;
}

/** Newest first; ties broken by key so the order is stable. */
export function newestFirst(backups: StoredBackup[]): StoredBackup[] {
  return [...backups].sort((a, b) => b.lastModified.localeCompare(a.lastModified) || b.key.localeCompare(a.key));
}

export async function findLatestBackup(
  s3: S3Client,
  bucket: string,
  prefix: string,
  signal?: AbortSignal,
): Promise<StoredBackup | null> {
  return newestFirst(await listBackups(s3, bucket, prefix, signal))[0] ?? null;
}

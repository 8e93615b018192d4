// Shared pieces of the storage tests: a backup's worth of entries, and what is left in a bucket.
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { GetObjectCommand, ListMultipartUploadsCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { ArchiveEntry, BackupKey } from '../../activities/archive/index.ts';
import { readBackup } from '../../activities/storage/backup.ts';

export const manifestInfo = {
  namespace: 'pno',
  components: ['resources', 'model'],
  workflowId: 'backup-wf',
  runId: 'run-1',
};

export const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

/** `size` pseudo-random bytes produced on demand in 1 MiB pieces; `gate` may hold it back before a piece. */
export function generated(
  size: number,
  gate?: (producedBytes: number) => Promise<void>,
): { stream: Readable; digest: () => string } {
  const hash = createHash('sha256');
  let produced = 0;
  const stream = Readable.from(
    (async function* () {
      while (produced < size) {
        await gate?.(produced);
        const piece = randomBytes(Math.min(1024 * 1024, size - produced));
        hash.update(piece);
        produced += piece.length;
        yield piece;
      }
    })(),
  );
  let hex: string | undefined;
  return { stream, digest: () => (hex ??= hash.digest('hex')) };
}

/** A Kubernetes Secret manifest holding `value`, as `kubectl get -o yaml` would print it. */
export function secretYaml(value: string): Buffer {
  return Buffer.from(
    `apiVersion: v1\nkind: Secret\nmetadata:\n  name: pno-api\n  namespace: pno\ntype: Opaque\ndata:\n  token: ${Buffer.from(value).toString('base64')}\nstringData:\n  plain: ${value}\n`,
  );
}

export function smallEntries(): ArchiveEntry[] {
  const deployment = Buffer.from('apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: pno-api\n');
  return [{ path: 'resources/apps/deployments/pno-api.yaml', size: deployment.length, source: deployment }];
}

export async function objectKeys(s3: S3Client, bucket: string): Promise<string[]> {
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
  return (listed.Contents ?? []).map((o) => o.Key!).sort();
}

export async function pendingUploads(s3: S3Client, bucket: string): Promise<string[]> {
  const listed = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
  return (listed.Uploads ?? []).map((u) => u.Key!);
}

export async function objectBytes(s3: S3Client, bucket: string, key: string): Promise<Buffer> {
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await object.Body!.transformToByteArray());
}

/** Reads a backup back through the product's reader: each entry's SHA-256, by path. */
export async function restoredDigests(
  s3: S3Client,
  bucket: string,
  key: string,
  keyMaterial: BackupKey,
): Promise<Map<string, string>> {
  const digests = new Map<string, string>();
  await readBackup({
    s3,
    bucket,
    key,
    keyMaterial,
    onEntry: async (entry, body) => {
      const chunks: Buffer[] = [];
      for await (const chunk of body) chunks.push(chunk as Buffer);
      digests.set(entry.path, sha256(Buffer.concat(chunks)));
    },
  });
  return digests;
}

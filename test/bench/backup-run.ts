// One side of `npm run bench:backup`, run in a process of its own (under GNU time, for its peak RSS):
//   product-backup <dir> <bucket> <key>      the product's writeBackup: tar → zstd → seal → upload, large
//                                            files as pieces the bucket does not hold yet, those the
//                                            last backup holds in the same version (change token) unread
//   product-restore <bucket> <key> <out>     its readBackup (pieces fetched two at a time), every
//                                            authenticated entry written under <out>
//   pigz-backup <dir> <bucket> <key>         tar -cf - | pigz -1 | the same multipart upload
//   pigz-restore <bucket> <key> <out>        the object | pigz -d | tar -x
// S3 settings and the backup key come from BENCH_* variables; the result is one JSON line on stdout.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { BackupKey, directoryEntries } from '../../activities/archive/index.ts';
import { openObject } from '../../activities/storage/download.ts';
import { readBackup } from '../../activities/storage/backup.ts';
import { createS3Client, writeBackup } from '../../activities/storage/index.ts';
import { uploadStream } from '../../activities/storage/upload.ts';

const [mode, ...args] = process.argv.slice(2);
const s3 = createS3Client({
  endpoint: process.env.BENCH_S3_ENDPOINT,
  region: 'us-east-1',
  credentials: {
    accessKeyId: process.env.BENCH_S3_ACCESS_KEY ?? '',
    secretAccessKey: process.env.BENCH_S3_SECRET_KEY ?? '',
  },
});
const key = new BackupKey(Buffer.from(process.env.BENCH_BACKUP_KEY ?? '', 'base64'));

/** Resolves when the program exits 0; rejects naming it otherwise. */
async function exited(child: ChildProcess, name: string): Promise<void> {
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`${name} exited ${code}`);
}

const started = performance.now();
let objectBytes: number | undefined;
switch (mode) {
  case 'product-backup': {
    const [dir, bucket, objectKey] = args as [string, string, string];
    const result = await writeBackup({
      s3,
      bucket,
      key: objectKey,
      // Compared with the newest earlier backup under the prefix: unchanged large files are not read.
      entries: (earlier) => directoryEntries(dir, { earlier }),
      keyMaterial: key,
      manifest: { namespace: 'bench', components: ['model'], workflowId: objectKey, runId: 'bench' },
    });
    objectBytes = result.objectBytes;
    break;
  }
  case 'product-restore': {
    const [bucket, objectKey, out] = args as [string, string, string];
    await readBackup({
      s3,
      bucket,
      key: objectKey,
      keyMaterial: key,
      onEntry: async (entry, body) => {
        const path = join(out, entry.path);
        await mkdir(dirname(path), { recursive: true });
        await pipeline(body, createWriteStream(path));
      },
    });
    break;
  }
  case 'pigz-backup': {
    const [dir, bucket, objectKey] = args as [string, string, string];
    const tar = spawn('tar', ['-cf', '-', '-C', dir, '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const pigz = spawn('pigz', ['-1'], { stdio: [tar.stdout, 'pipe', 'inherit'] });
    await Promise.all([
      uploadStream({ s3, bucket, key: objectKey, body: pigz.stdout as Readable }),
      exited(tar, 'tar'),
      exited(pigz, 'pigz'),
    ]);
    break;
  }
  case 'pigz-restore': {
    const [bucket, objectKey, out] = args as [string, string, string];
    await mkdir(out, { recursive: true });
    const object = await openObject(s3, bucket, objectKey);
    const pigz = spawn('pigz', ['-dc'], { stdio: ['pipe', 'pipe', 'inherit'] });
    const tar = spawn('tar', ['-xf', '-', '-C', out], { stdio: [pigz.stdout, 'ignore', 'inherit'] });
    await Promise.all([pipeline(object.body, pigz.stdin), exited(pigz, 'pigz'), exited(tar, 'tar')]);
    break;
  }
  default:
    throw new Error(`unknown mode ${mode}: see the header of backup-run.ts`);
}
process.stdout.write(`${JSON.stringify({ mode, wallMs: performance.now() - started, objectBytes })}\n`);

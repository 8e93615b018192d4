// One side of `npm run bench:backup`, run in a child process so its peak RSS is its own:
//   pipeline <dir> <bucket> <key>   entries → tar → gzip → encrypt → multipart upload, no temp file
//   baseline <dir> <bucket> <key>   `tar -czf` to a temp file, then the same SDK upload of that file
// S3 settings come from BENCH_S3_* variables; the result is one JSON line on stdout.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BackupKey, directoryEntries } from '../../activities/archive/index.ts';
import { createS3Client, writeBackup } from '../../activities/storage/index.ts';
import { uploadStream } from '../../activities/storage/upload.ts';

const [mode, dir, bucket, key] = process.argv.slice(2);
if ((mode !== 'pipeline' && mode !== 'baseline') || !dir || !bucket || !key) {
  throw new Error('usage: backup-run.ts pipeline|baseline <dir> <bucket> <key>');
}
const s3 = createS3Client({
  endpoint: process.env.BENCH_S3_ENDPOINT,
  region: 'us-east-1',
  credentials: {
    accessKeyId: process.env.BENCH_S3_ACCESS_KEY ?? '',
    secretAccessKey: process.env.BENCH_S3_SECRET_KEY ?? '',
  },
});

// Modules loaded (the SDKs, Temporal's protobufs) before any work: the floor under both sides.
const rssBeforeWorkBytes = process.memoryUsage.rss();
// Sampled as well as read from rusage, as a cross-check of the kernel's high-water mark, with the
// V8 heap reserved (its young generation grows to a fixed ceiling in any busy process) and used.
let sampledPeak = 0;
let heapReservedPeak = 0;
let heapUsedPeak = 0;
const sampler = setInterval(() => {
  const memory = process.memoryUsage();
  sampledPeak = Math.max(sampledPeak, memory.rss);
  heapReservedPeak = Math.max(heapReservedPeak, memory.heapTotal);
  heapUsedPeak = Math.max(heapUsedPeak, memory.heapUsed);
}, 50);

const started = performance.now();
const phases: Record<string, number> = {};
let objectBytes = 0;
if (mode === 'pipeline') {
  const result = await writeBackup({
    s3,
    bucket,
    key,
    entries: directoryEntries(dir),
    keyMaterial: new BackupKey(randomBytes(32)),
    manifest: { namespace: 'bench', components: ['model'], workflowId: key, runId: 'bench' },
  });
  objectBytes = result.objectBytes;
} else {
  const work = await mkdtemp(join(tmpdir(), 'pno-bench-tar-'));
  try {
    const archive = join(work, 'backup.tar.gz');
    await promisify(execFile)('tar', ['-czf', archive, '-C', dir, '.']);
    phases.tarMs = performance.now() - started;
    objectBytes = (await stat(archive)).size;
    await uploadStream({ s3, bucket, key, body: createReadStream(archive) });
    phases.uploadMs = performance.now() - started - phases.tarMs;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
const wallMs = performance.now() - started;
clearInterval(sampler);
process.stdout.write(
  `${JSON.stringify({ mode, wallMs, ...phases, objectBytes, peakRssBytes: process.resourceUsage().maxRSS * 1024, sampledPeakRssBytes: sampledPeak, rssBeforeWorkBytes, heapReservedPeak, heapUsedPeak })}\n`,
);

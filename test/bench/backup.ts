// `npm run bench:backup [sizeMiB ...]` (default 200 and 1024): builds a synthetic model tree of each
// size, then backs it up to a local MinIO (loopback, started here) twice in the same run: with the
// streamed pipeline, and with `tar -czf` followed by an SDK upload of the file. Each runs in its own
// child process so the peak RSS printed is that side's alone. Targets: pipeline no slower than the
// baseline (ratio >= 1.0) and under 200 MiB RSS at every size; the exit code says whether they held.
import { execFile } from 'node:child_process';
import { randomBytes, randomFillSync } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { createS3Client } from '../../activities/storage/index.ts';
import { startMinio } from '../../stack/minio.ts';

const MiB = 1024 * 1024;
const sizes = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => n > 0);
const RSS_LIMIT = 200 * MiB;

/** Writes `bytes` made by `piece(n)` in 1 MiB pieces, so generation itself stays small in memory. */
async function writeFile(path: string, bytes: number, piece: (n: number) => Buffer): Promise<void> {
  const out = createWriteStream(path);
  for (let left = bytes; left > 0; left -= MiB) {
    if (!out.write(piece(Math.min(MiB, left)))) await once(out, 'drain');
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
}

/** Text that compresses like a tokenizer vocabulary or a JSON config: varied, but redundant. */
function textPiece(n: number): Buffer {
  const lines: string[] = [];
  let length = 0;
  while (length < n) {
    const id = Math.floor(Math.random() * 50_000);
    const line = `{"id": ${id}, "token": "tok_${id.toString(36)}", "score": ${Math.random().toFixed(6)}, "merges": ["${id % 97}", "${id % 89}"]}\n`;
    lines.push(line);
    length += line.length;
  }
  return Buffer.from(lines.join('')).subarray(0, n);
}

/** float32 weights with few distinct values (a quantised layer): partly compressible. */
function quantisedPiece(n: number): Buffer {
  const values = new Float32Array(Math.ceil(n / 4));
  for (let i = 0; i < values.length; i += 1) values[i] = Math.round(Math.random() * 16) / 16;
  return Buffer.from(values.buffer, 0, n);
}

/** ~60% random weights (incompressible), ~15% quantised weights, ~25% text and manifests. */
async function modelTree(root: string, total: number): Promise<void> {
  await mkdir(join(root, 'model', 'shards'), { recursive: true });
  await mkdir(join(root, 'resources'), { recursive: true });
  const random = Math.floor(total * 0.6);
  for (let i = 0, left = random; left > 0; i += 1, left -= 64 * MiB) {
    await writeFile(
      join(root, 'model', 'shards', `weights-${String(i).padStart(3, '0')}.bin`),
      Math.min(64 * MiB, left),
      (n) => randomFillSync(Buffer.allocUnsafe(n)),
    );
  }
  await writeFile(join(root, 'model', 'quantised.bin'), Math.floor(total * 0.15), quantisedPiece);
  await writeFile(join(root, 'model', 'tokenizer.json'), Math.floor(total * 0.25) - 100 * 4096, textPiece);
  for (let i = 0; i < 100; i += 1) await writeFile(join(root, 'resources', `object-${i}.yaml`), 4096, textPiece);
}

interface RunResult {
  wallMs: number;
  tarMs?: number;
  uploadMs?: number;
  objectBytes: number;
  peakRssBytes: number;
  sampledPeakRssBytes: number;
  rssBeforeWorkBytes: number;
  heapReservedPeak: number;
  heapUsedPeak: number;
}

const minio = await startMinio();
const env = {
  ...process.env,
  BENCH_S3_ENDPOINT: minio.endpoint,
  BENCH_S3_ACCESS_KEY: minio.accessKeyId,
  BENCH_S3_SECRET_KEY: minio.secretAccessKey,
};
const runner = new URL('./backup-run.ts', import.meta.url).pathname;
const run = async (mode: string, dir: string, key: string): Promise<RunResult> => {
  const { stdout } = await promisify(execFile)(process.execPath, [runner, mode, dir, 'bench', key], {
    env,
    maxBuffer: MiB,
  });
  return JSON.parse(stdout) as RunResult;
};

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const mib = (bytes: number) => `${(bytes / MiB).toFixed(0)} MiB`;
let held = true;
try {
  await createS3Client({
    endpoint: minio.endpoint,
    region: minio.region,
    credentials: { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey },
  }).send(new CreateBucketCommand({ Bucket: 'bench' }));
  for (const sizeMiB of sizes.length > 0 ? sizes : [200, 1024]) {
    const root = await mkdtemp(join(tmpdir(), 'pno-bench-tree-'));
    try {
      await modelTree(root, sizeMiB * MiB);
      const tag = randomBytes(4).toString('hex');
      const baseline = await run('baseline', root, `baseline-${sizeMiB}-${tag}.tar.gz`);
      const pipeline = await run('pipeline', root, `pipeline-${sizeMiB}-${tag}.tar.gz.enc`);
      const ratio = baseline.wallMs / pipeline.wallMs;
      const ok = ratio >= 1 && pipeline.peakRssBytes < RSS_LIMIT;
      held &&= ok;
      process.stdout.write(
        [
          `${sizeMiB} MiB model tree:`,
          `  pipeline  ${s(pipeline.wallMs)}  peak RSS ${mib(pipeline.peakRssBytes)} (${mib(pipeline.rssBeforeWorkBytes)} before any work; V8 heap reserved ${mib(pipeline.heapReservedPeak)}, used ${mib(pipeline.heapUsedPeak)})  object ${mib(pipeline.objectBytes)}`,
          `  baseline  ${s(baseline.wallMs)} = tar -czf ${s(baseline.tarMs ?? 0)} + upload ${s(baseline.uploadMs ?? 0)}  uploader peak RSS ${mib(baseline.peakRssBytes)}  object ${mib(baseline.objectBytes)}`,
          `  ratio baseline/pipeline ${ratio.toFixed(2)} (target >= 1.00), pipeline RSS ${ok ? 'and ratio within target' : 'or ratio MISSED target'}`,
          '',
        ].join('\n'),
      );
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  }
} finally {
  await minio.stop();
}
process.exitCode = held ? 0 : 1;

// `npm run bench:backup [sizeMiB ...]` (default 200, 1024 and 4096): the product's backup against what
// a user would pick instead, in one run, on the same synthetic model tree (60% random weights, 15%
// quantised weights, 25% JSON text) and the same local MinIO (loopback, started here):
//   restic (Debian's), and `tar -cf - | pigz -1 |` one multipart upload.
// Each tool backs the tree up, backs it up again unchanged, again after one weights file changed, and
// restores the last backup to disk. Every step runs as a process of its own under GNU time: wall time
// and peak RSS (of the largest process in a pipe). Stored is what the bucket holds for the tool after
// its three backups. It prints each figure as a ratio against the best peer; the exit code says
// whether the issue's goals held (backup, re-backup and restore <= 1.0x, stored <= 1.05x, RSS < 200 MiB).
import { execFile } from 'node:child_process';
import { randomBytes, randomFillSync } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile as writeText } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CreateBucketCommand, DeleteObjectsCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { CHANGE_TOKEN_MARGIN_MS } from '../../activities/archive/index.ts';
import { createS3Client, objectKeyFor } from '../../activities/storage/index.ts';
import { startMinio } from '../../stack/minio.ts';

const MiB = 1024 * 1024;
const sizes = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => n > 0);
const RSS_LIMIT = 200 * MiB;
const BUCKET = 'bench';
const run = promisify(execFile);

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

/**
 * Leaves `bytes` of memory freed a moment ago. On this machine's VM, writing into pages the kernel
 * has not used lately costs ~3.5 s per GiB (the host backs them again), while pages freed just
 * before come back at once: without this, the tool that restores right after another's restore was
 * removed would get its warm pages and the first one would not. Every restore starts from the same.
 */
async function warmPages(dir: string, bytes: number): Promise<void> {
  const zeros = Buffer.alloc(MiB);
  const path = join(dir, 'warm-pages');
  await writeFile(path, bytes, (n) => zeros.subarray(0, n));
  await rm(path);
}

const STEPS = ['full', 'unchanged', 'changed', 'restore'] as const;
type Step = (typeof STEPS)[number];
type Tool = 'product' | 'restic' | 'pigz';
interface Measured {
  wallMs: number;
  peakRssBytes: number;
}
type Figures = Record<Step, Measured> & { storedBytes: number };

/** Runs a program under GNU time: its wall time and the peak RSS of its largest process. */
async function timed(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<Measured> {
  const dir = await mkdtemp(join(tmpdir(), 'pno-bench-time-'));
  try {
    const file = join(dir, 'time');
    // The previous step's dirty pages (a restore's files) are written back now, not during this one.
    await run('sync', []);
    const started = performance.now();
    await run('/usr/bin/time', ['-f', '%M', '-o', file, command, ...args], { env, maxBuffer: 16 * MiB });
    const wallMs = performance.now() - started;
    return { wallMs, peakRssBytes: Number((await readFile(file, 'utf8')).trim().split('\n').at(-1)) * 1024 };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Every object of one tool, with its size. */
async function objectsUnder(s3: S3Client, prefix: string): Promise<{ Key: string; Size: number }[]> {
  const objects: { Key: string; Size: number }[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix, ContinuationToken: token }));
    for (const object of page.Contents ?? []) objects.push({ Key: object.Key ?? '', Size: object.Size ?? 0 });
    token = page.NextContinuationToken;
  } while (token);
  return objects;
}

/** Frees the bucket of one tool's objects (a 4 GiB run leaves some 20 GiB otherwise). */
async function removeAll(s3: S3Client, objects: { Key: string }[]): Promise<void> {
  for (let at = 0; at < objects.length; at += 1000) {
    const batch = objects.slice(at, at + 1000).map(({ Key }) => ({ Key }));
    await s3.send(new DeleteObjectsCommand({ Bucket: BUCKET, Delete: { Objects: batch } }));
  }
}

/**
 * backup-run.ts compiled to JavaScript, as the worker image runs the product (`npm run build`): Node's
 * type stripping would add some 37 MiB to every side's RSS that a deployed worker does not carry.
 */
async function compiledRunner(): Promise<string> {
  const root = new URL('../../', import.meta.url).pathname;
  // Inside node_modules, so the compiled files resolve the project's packages as the sources do.
  const out = join(root, 'node_modules', '.cache', 'pno-bench-backup');
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  const config = {
    extends: join(root, 'tsconfig.build.json'),
    compilerOptions: { outDir: out, rootDir: root, sourceMap: false },
    include: [join(root, 'test', 'bench', 'backup-run.ts')],
  };
  await writeText(join(out, 'tsconfig.json'), JSON.stringify(config));
  await run(join(root, 'node_modules', '.bin', 'tsc'), ['-p', join(out, 'tsconfig.json')]);
  return join(out, 'test', 'bench', 'backup-run.js');
}

await run('bash', [new URL('../../scripts/tools/ensure-bench-tools.sh', import.meta.url).pathname]).then(({ stdout }) =>
  process.stdout.write(`peers: ${stdout}`),
);
const minio = await startMinio();
const s3 = createS3Client({
  endpoint: minio.endpoint,
  region: minio.region,
  credentials: { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey },
});
const env = {
  ...process.env,
  BENCH_S3_ENDPOINT: minio.endpoint,
  BENCH_S3_ACCESS_KEY: minio.accessKeyId,
  BENCH_S3_SECRET_KEY: minio.secretAccessKey,
  BENCH_BACKUP_KEY: randomBytes(32).toString('base64'),
  AWS_ACCESS_KEY_ID: minio.accessKeyId,
  AWS_SECRET_ACCESS_KEY: minio.secretAccessKey,
  RESTIC_PASSWORD: randomBytes(16).toString('hex'),
};
const runner = await compiledRunner();
const node = (args: string[]) => timed(process.execPath, [runner, ...args], env);

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const mib = (bytes: number) => `${(bytes / MiB).toFixed(0)} MiB`;
let held = true;
try {
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  for (const sizeMiB of sizes.length > 0 ? sizes : [200, 1024, 4096]) {
    const work = await mkdtemp(join(tmpdir(), 'pno-bench-'));
    const tree = join(work, 'tree');
    try {
      await modelTree(tree, sizeMiB * MiB);
      // Models are written long before a nightly backup: let the tree age past the change-token margin,
      // or the product would rightly distrust the newest files' tokens and read them again.
      await new Promise((resolve) => setTimeout(resolve, CHANGE_TOKEN_MARGIN_MS));
      const tag = `${sizeMiB}-${randomBytes(4).toString('hex')}`;
      const prefix: Record<Tool, string> = {
        product: `product-${tag}/`,
        pigz: `pigz-${tag}/`,
        restic: `restic-${tag}/`,
      };
      const resticEnv = {
        ...env,
        RESTIC_REPOSITORY: `s3:${minio.endpoint}/${BUCKET}/${prefix.restic.slice(0, -1)}`,
        RESTIC_CACHE_DIR: join(work, 'restic-cache'),
      };
      await run('restic', ['init', '--quiet'], { env: resticEnv });
      const restic = (args: string[]) => timed('restic', ['--quiet', ...args], resticEnv);
      const backup: Record<Tool, (name: string) => Promise<Measured>> = {
        // Keys as the product names them, so each backup finds the one before it under the prefix.
        product: (name) => node(['product-backup', tree, BUCKET, objectKeyFor(prefix.product, name)]),
        pigz: (name) => node(['pigz-backup', tree, BUCKET, `${prefix.pigz}${name}`]),
        restic: () => restic(['backup', '--host', 'bench', tree]),
      };
      const restore: Record<Tool, (out: string) => Promise<Measured>> = {
        product: (out) => node(['product-restore', BUCKET, objectKeyFor(prefix.product, 'changed'), out]),
        pigz: (out) => node(['pigz-restore', BUCKET, `${prefix.pigz}changed`, out]),
        restic: (out) => restic(['restore', 'latest', '--target', out]),
      };
      const tools: Tool[] = ['product', 'restic', 'pigz'];
      const figures = {} as Record<Tool, Partial<Figures>>;
      for (const tool of tools) figures[tool] = {};
      const load: number[] = [loadavg()[0] ?? 0];
      // Step by step across the tools, so each sees the same tree at the same step.
      for (const tool of tools) figures[tool].full = await backup[tool]('full');
      for (const tool of tools) figures[tool].unchanged = await backup[tool]('unchanged');
      await writeFile(
        join(tree, 'model', 'shards', 'weights-000.bin'),
        Math.min(64 * MiB, Math.floor(sizeMiB * MiB * 0.6)),
        (n) => randomFillSync(Buffer.allocUnsafe(n)),
      );
      for (const tool of tools) figures[tool].changed = await backup[tool]('changed');
      for (const tool of tools) {
        const out = join(work, `restore-${tool}`);
        await warmPages(work, sizeMiB * MiB);
        figures[tool].restore = await restore[tool](out);
        await rm(out, { recursive: true, force: true });
      }
      for (const tool of tools) {
        const objects = await objectsUnder(s3, prefix[tool]);
        figures[tool].storedBytes = objects.reduce((sum, o) => sum + o.Size, 0);
        await removeAll(s3, objects);
      }
      load.push(loadavg()[0] ?? 0);

      const f = figures as Record<Tool, Figures>;
      const best = (value: (t: Tool) => number) => Math.min(value('restic'), value('pigz'));
      const ratio = (value: (t: Tool) => number) => value('product') / best(value);
      const lines = [`${sizeMiB} MiB model tree (load average ${load.map((l) => l.toFixed(2)).join(' → ')}):`];
      lines.push(`  ${'tool'.padEnd(8)}${STEPS.map((st) => st.padStart(18)).join('')}${'stored'.padStart(12)}`);
      for (const tool of tools)
        lines.push(
          `  ${tool.padEnd(8)}${STEPS.map((st) => `${s(f[tool][st].wallMs)} ${mib(f[tool][st].peakRssBytes)}`.padStart(18)).join('')}${mib(f[tool].storedBytes).padStart(12)}`,
        );
      const ratios = STEPS.map((st) => ratio((t) => f[t][st].wallMs));
      const storedRatio = ratio((t) => f[t].storedBytes);
      lines.push(
        `  ${'ratio'.padEnd(8)}${ratios.map((r) => `${r.toFixed(2)}x`.padStart(18)).join('')}${`${storedRatio.toFixed(2)}x`.padStart(12)}   product / best peer (time; stored)`,
      );
      const peakRss = Math.max(...STEPS.map((st) => f.product[st].peakRssBytes));
      const ok = ratios.every((r) => r <= 1) && storedRatio <= 1.05 && peakRss < RSS_LIMIT;
      held &&= ok;
      lines.push(`  product peak RSS ${mib(peakRss)}; goals ${ok ? 'held' : 'MISSED'}`, '');
      process.stdout.write(lines.join('\n') + '\n');
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }
} finally {
  s3.destroy();
  await minio.stop();
}
process.exitCode = held ? 0 : 1;

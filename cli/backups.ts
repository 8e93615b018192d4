// `pno backup list|create|verify|download`: the catalog read from the bucket (size, age, key id
// and format from each object's header, verification from the run that wrote it), a backup started
// under a readable id, an object read back and checked here, or fetched as stored (with its pieces).
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { createWriteStream } from 'node:fs';
import { link, mkdir, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { WorkflowNotFoundError } from '@temporalio/client';
import { decodeHeader, HEADER_BYTES, preludeVersion } from '../activities/archive/format.ts';
import { BackupKeyError, readKeyFile, type BackupKey } from '../activities/archive/keys.ts';
import { readBackup } from '../activities/storage/backup.ts';
import { openObject } from '../activities/storage/download.ts';
import { listBackups, newestFirst } from '../activities/storage/listing.ts';
import { BACKUP_SUFFIX } from '../activities/storage/object-keys.ts';
import { listPieces, piecesPrefix, prefixOfObjectKey } from '../activities/storage/pieces.ts';
import type { backupWorkflow } from '../workflows/index.ts';
import type { StoredBackup } from '../types/index.ts';
import type { BackupResult } from '../workflows/backup/backup.ts';
import { age, bytes, table, type CliContext } from './context.ts';
import { startRun } from './runs.ts';

export interface CatalogEntry {
  key: string;
  size: number;
  lastModified: string;
  keyId: string;
  formatVersion: number | null;
  /** The run that wrote it: `verified` when it completed (a backup completes only once read back and checked). */
  workflowId: string;
  verification: 'verified' | 'in progress' | 'failed' | 'unknown';
}

export async function listCatalog(ctx: CliContext, prefix: string): Promise<CatalogEntry[]> {
  const stored = newestFirst(await listBackups(ctx.s3(), ctx.config.s3.bucket, prefix));
  return Promise.all(stored.map((backup) => catalogEntry(ctx, backup)));
}

/** The run that wrote a backup object: its workflow id is the object's name. */
const writerOf = (key: string) => decodeURIComponent(key.slice(key.lastIndexOf('/') + 1, -BACKUP_SUFFIX.length));

async function catalogEntry(ctx: CliContext, backup: StoredBackup): Promise<CatalogEntry> {
  const client = await ctx.temporal();
  const workflowId = writerOf(backup.key);
  const [header, verification] = await Promise.all([
    readHeader(ctx, backup.key),
    client.workflow
      .getHandle(workflowId)
      .describe()
      .then((d): CatalogEntry['verification'] =>
        d.status.name === 'COMPLETED' ? 'verified' : d.status.name === 'RUNNING' ? 'in progress' : 'failed',
      )
      .catch((err: unknown) => {
        // The run's history outlived its retention: the object alone cannot say.
        if (err instanceof WorkflowNotFoundError) return 'unknown' as const;
        throw err;
      }),
  ]);
  return { key: backup.key, size: backup.size, lastModified: backup.lastModified, ...header, workflowId, verification };
}

/** One backup: its catalog entry and, when the run that wrote it completed, what that run reported. */
export async function describeBackup(ctx: CliContext, key: string): Promise<void> {
  const head = await ctx
    .s3()
    .send(new HeadObjectCommand({ Bucket: ctx.config.s3.bucket, Key: key }))
    .catch((err: unknown) => {
      throw new BackupCheckFailed(`${key}: not in s3://${ctx.config.s3.bucket} (${(err as Error).name})`);
    });
  const entry = await catalogEntry(ctx, {
    key,
    size: head.ContentLength ?? 0,
    lastModified: (head.LastModified ?? new Date(0)).toISOString(),
  });
  const run =
    entry.verification === 'verified'
      ? ((await (await ctx.temporal()).workflow.getHandle(entry.workflowId).result()) as BackupResult)
      : undefined;
  ctx.json({ ...entry, ...(run ? { run } : {}) });
  const lines: [string, string][] = [
    ['key', entry.key],
    ['size', `${bytes(entry.size)} (${entry.size} bytes)`],
    ['written', `${entry.lastModified} (${age(new Date(entry.lastModified))} ago)`],
    ['key id', entry.keyId],
    ['format', entry.formatVersion === null ? '?' : `v${entry.formatVersion}`],
    ['run', entry.workflowId],
    ['verification', entry.verification],
  ];
  if (run) {
    lines.push(['components', run.components.join(', ')]);
    lines.push(['entries', `${run.verified.entries} (${bytes(run.verified.bytes)} before compression)`]);
    lines.push(['took', `${Math.round(run.durationMs / 1000)} s`]);
    if (run.notes.length > 0) lines.push(['notes', run.notes.join('; ')]);
  }
  for (const [name, value] of lines) ctx.line(`${`${name}:`.padEnd(14)}${value}`);
}

/** The key id and format version in the object's first bytes (one ranged GET; nothing decrypted). */
async function readHeader(ctx: CliContext, key: string): Promise<{ keyId: string; formatVersion: number | null }> {
  const object = await ctx
    .s3()
    .send(new GetObjectCommand({ Bucket: ctx.config.s3.bucket, Key: key, Range: `bytes=0-${HEADER_BYTES - 1}` }));
  const head = Buffer.from(await object.Body!.transformToByteArray());
  try {
    return { keyId: decodeHeader(head).keyId, formatVersion: preludeVersion(head) };
  } catch {
    return { keyId: '?', formatVersion: null };
  }
}

export async function printCatalog(ctx: CliContext, prefix: string): Promise<void> {
  const catalog = await listCatalog(ctx, prefix);
  ctx.json(catalog);
  const rows = catalog.map((b) => [
    b.key,
    bytes(b.size),
    age(new Date(b.lastModified)),
    b.keyId,
    b.formatVersion === null ? '?' : `v${b.formatVersion}`,
    b.verification,
  ]);
  for (const line of table(['KEY', 'SIZE', 'AGE', 'KEY ID', 'FORMAT', 'VERIFICATION'], rows)) ctx.line(line);
  if (catalog.length === 0) ctx.note(`no backups under s3://${ctx.config.s3.bucket}/${prefix}`);
}

export interface CreateBackup {
  namespace: string;
  wait: boolean;
}

/** Starts backupWorkflow as `backup-<namespace>-<UTC time>`; with --wait, prints its result. */
export async function createBackup(ctx: CliContext, options: CreateBackup): Promise<void> {
  const handle = await startRun<typeof backupWorkflow>(ctx, {
    kind: 'backup',
    namespace: options.namespace,
    workflowType: 'backupWorkflow',
    args: [{ namespace: options.namespace }],
    wait: options.wait,
  });
  if (!handle) return;
  const result = await handle.result();
  ctx.json({ workflowId: handle.workflowId, ...result });
  ctx.line(`${result.key}: ${result.entries} entries, ${bytes(result.objectBytes)}, verified`);
}

export class BackupCheckFailed extends Error {
  override name = 'BackupCheckFailed';
}

/** `latest` is the newest backup under the prefix; anything else is an object key. */
export async function resolveBackup(ctx: CliContext, keyOrLatest: string, prefix: string): Promise<string> {
  if (keyOrLatest !== 'latest') return keyOrLatest;
  const newest = newestFirst(await listBackups(ctx.s3(), ctx.config.s3.bucket, prefix))[0];
  if (!newest) throw new BackupCheckFailed(`no backup under s3://${ctx.config.s3.bucket}/${prefix}`);
  return newest.key;
}

/**
 * Reads the object back here, entry by entry, through the product's reader: every chunk
 * authenticated, every entry against the manifest. Nothing is written. The keys are the --key-file
 * ones, else the worker's (PNO_BACKUP_KEY_FILE and its retired keys).
 */
export async function verifyBackupHere(ctx: CliContext, key: string, keyFiles: string[]): Promise<void> {
  const keys = keyFiles.length > 0 ? keyFiles.map((file) => readKeyFile(file, `--key-file ${file}`)) : configKeys(ctx);
  try {
    const result = await readBackup({
      s3: ctx.s3(),
      bucket: ctx.config.s3.bucket,
      key,
      keyMaterial: keys[0]!,
      retiredKeys: keys.slice(1),
    });
    const summary = { key, keyId: result.keyId, entries: result.entries, bytes: result.bytes, verified: true };
    ctx.json(summary);
    ctx.line(`${key}: ${result.entries} entries, ${bytes(result.bytes)} verified (key ${result.keyId})`);
  } catch (err) {
    if (err instanceof BackupKeyError) throw err;
    const why = err instanceof Error ? err.message : String(err);
    ctx.json({ key, verified: false, failure: why });
    throw new BackupCheckFailed(`${key}: not verified: ${why}`);
  }
}

function configKeys(ctx: CliContext): BackupKey[] {
  const { backupKey, retiredKeys } = ctx.config;
  if (!backupKey) throw new BackupCheckFailed('no key: give --key-file, or set PNO_BACKUP_KEY_FILE as for the worker');
  return [backupKey, ...retiredKeys];
}

/** One object as stored into `path`, which appears only whole and never replaces a file. */
async function downloadObject(ctx: CliContext, key: string, path: string): Promise<number> {
  const object = await openObject(ctx.s3(), ctx.config.s3.bucket, key);
  const partial = `${path}.partial`;
  const failed = (err: unknown) => new BackupCheckFailed(`${path}: ${(err as Error).message}`);
  await pipeline(Readable.from(object.body), createWriteStream(partial, { flags: 'wx', mode: 0o600 })).catch(
    async (err: unknown) => {
      // EEXIST: the .partial is someone else's file, left alone; anything else is ours to remove.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') await rm(partial, { force: true });
      throw failed(err);
    },
  );
  try {
    // link, not rename: a file already at `path` is kept and the command fails (EEXIST).
    await link(partial, path).catch((err: unknown) => {
      throw failed(err);
    });
  } finally {
    await rm(partial, { force: true });
  }
  return object.received();
}

/**
 * The sealed object as stored, to a file (`<object name>` in the current directory by default);
 * with `piecesDir`, every piece object under its prefix too (format v2's large files), one file per
 * name. A piece already there with the stored size is kept, so an interrupted download resumes.
 */
export async function downloadBackup(ctx: CliContext, key: string, out?: string, piecesDir?: string): Promise<void> {
  const path = out ?? basename(key);
  const size = await downloadObject(ctx, key, path);
  let pieces = { count: 0, bytes: 0 };
  if (piecesDir) {
    await mkdir(piecesDir, { recursive: true, mode: 0o700 });
    const prefix = prefixOfObjectKey(key);
    for (const [name, piece] of await listPieces(ctx.s3(), ctx.config.s3.bucket, prefix)) {
      const file = join(piecesDir, name);
      const have = await stat(file).catch(() => undefined);
      if (have?.size !== piece.size) {
        if (have) await rm(file);
        await downloadObject(ctx, `${piecesPrefix(prefix)}${name}`, file);
      }
      pieces = { count: pieces.count + 1, bytes: pieces.bytes + piece.size };
    }
  }
  ctx.json({
    key,
    path,
    bytes: size,
    ...(piecesDir ? { piecesDir, pieces: pieces.count, pieceBytes: pieces.bytes } : {}),
  });
  ctx.line(`${path}: ${bytes(size)} (still sealed: pno backup decrypt ${path} --key-file …)`);
  if (piecesDir)
    ctx.line(`${piecesDir}: ${pieces.count} pieces, ${bytes(pieces.bytes)} (decrypt … --pieces ${piecesDir})`);
}

// A recovery reads its backup once. The archive is downloaded, authenticated and checked while its
// entries are written to a stage on the worker's local disk; the later steps read the stage. A stage
// belongs to one recovery (its workflow id, which a reset keeps) and one object version (its ETag),
// so a retry or a reset on the same worker reuses it instead of downloading again; another worker
// stages again, pinned to the same ETag. A stage is complete only once its record is written, last,
// and the stage directory renamed into place: a half-written stage is never read.
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, stat, statfs, writeFile } from 'node:fs/promises';
import { createHash, randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType, type VerifyBackupResult } from '../../types/index.ts';
import { badArchive } from '../archive/index.ts';
import { readBackup } from '../storage/backup.ts';
import { objectKeyFor } from '../storage/object-keys.ts';
import { requireBackupKey, type StorageDeps } from '../storage/index.ts';

export interface StageConfig {
  /** Root of the stages on local disk (PNO_RESTORE_STAGE_DIR). */
  dir: string;
  /** The most plaintext one stage may hold (PNO_RESTORE_STAGE_LIMIT_MIB). */
  limitBytes: number;
}

export interface StageContext {
  storage: StorageDeps;
  stage: StageConfig;
  /** The recovery the stage belongs to. */
  owner: string;
  onProgress?: (progress: object) => void;
  signal?: AbortSignal;
}

/** What the workflow learns of a stage: the verification, the pinned ETag, and what this call downloaded. */
export interface StagedBackup extends VerifyBackupResult {
  etag: string;
  stagedBytes: number;
  /** Bytes fetched from the store by this call: the object's size, or 0 when the stage was reused. */
  downloadedBytes: number;
  reused: boolean;
}

interface StageRecord extends Omit<StagedBackup, 'downloadedBytes' | 'reused'> {
  owner: string;
  resources: string[];
  monitoring: string[];
  models: number;
  /** Bytes of the staged database dump; 0 when the backup holds none. */
  databaseBytes: number;
  /** STAGE_FORMAT of the worker that wrote it: a stage of an older layout is staged again. */
  format: number;
}

export interface OpenStage {
  dir: string;
  record: StageRecord;
  staged: StagedBackup;
}

const RECORD = 'stage.json';
const STAGE_FORMAT = 2;
const DATABASE_DUMP = join('database', 'dump');
/** Free space left untouched by a stage, for the worker's other work. */
const DISK_RESERVE_BYTES = 256 * 1024 ** 2;
/** Resource and monitoring YAML together, which a restore parses in memory. */
const MAX_YAML_BYTES = 64 * 1024 ** 2;
/** Stages of recoveries that were never finished (nor reset) are swept after this long. */
const ABANDONED_AFTER_MS = 24 * 3600_000;

const stageName = (owner: string) => createHash('sha256').update(owner).digest('hex').slice(0, 32);
export const modelsOf = (stage: OpenStage) => join(stage.dir, 'models');
export const databaseDumpOf = (stage: OpenStage) => join(stage.dir, DATABASE_DUMP);

async function readRecord(dir: string): Promise<StageRecord | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, RECORD), 'utf8')) as StageRecord;
  } catch {
    return undefined;
  }
}

/** Plaintext the stage may take: the configured limit, or less when the disk has less free. */
async function capacity(config: StageConfig): Promise<{ bytes: number; by: string }> {
  const disk = await statfs(config.dir);
  const free = disk.bavail * disk.bsize - DISK_RESERVE_BYTES;
  return free < config.limitBytes
    ? { bytes: Math.max(0, free), by: `free space on ${config.dir}` }
    : { bytes: config.limitBytes, by: 'PNO_RESTORE_STAGE_LIMIT_MIB' };
}

async function sweepAbandoned(root: string, keep: string) {
  for (const name of await readdir(root)) {
    if (name === keep) continue;
    const path = join(root, name);
    const info = await stat(path).catch(() => undefined);
    if (info && Date.now() - info.mtimeMs > ABANDONED_AFTER_MS) await rm(path, { recursive: true, force: true });
  }
}

/**
 * The recovery's stage of `key`: reused when complete for this object (and `etag`, when pinned),
 * else downloaded once, verified and written. A bad archive or one too big for the stage leaves
 * nothing behind.
 */
export async function ensureStaged(ctx: StageContext, key: string, etag?: string): Promise<OpenStage> {
  await mkdir(ctx.stage.dir, { recursive: true });
  const name = stageName(ctx.owner);
  const dir = join(ctx.stage.dir, name);
  const existing = await readRecord(dir);
  const reusable =
    existing?.format === STAGE_FORMAT &&
    existing.owner === ctx.owner &&
    existing.key === key &&
    (!etag || existing.etag === etag);
  if (reusable) return { dir, record: existing, staged: { ...stagedOf(existing), downloadedBytes: 0, reused: true } };
  await sweepAbandoned(ctx.stage.dir, name);

  const room = await capacity(ctx.stage);
  const partial = join(ctx.stage.dir, `${name}.partial-${randomUUID()}`);
  const sections = { resources: [] as string[], monitoring: [] as string[] };
  let models = 0;
  let databaseBytes = 0;
  let stagedBytes = 0;
  let yamlBytes = 0;
  let readBytes = 0;
  try {
    await mkdir(partial);
    const verified = await readBackup({
      s3: ctx.storage.s3,
      bucket: ctx.storage.bucket,
      key,
      keyMaterial: requireBackupKey(ctx.storage),
      retiredKeys: ctx.storage.retiredKeys,
      ifMatch: etag,
      signal: ctx.signal,
      onProgress: ctx.onProgress,
      onEntry: async (entry, body) => {
        const section = entry.place?.section;
        const relative =
          section === 'models'
            ? // The reader has refused absolute paths and `..` in the whole path: this stays in the stage.
              join('models', entry.place!.relative)
            : section === 'resources' || section === 'monitoring'
              ? join(section, `${sections[section].length}.yaml`)
              : section === 'database'
                ? DATABASE_DUMP
                : undefined;
        // Everything that decompresses counts, kept or not: a bomb in any section ends here, before its data.
        readBytes += entry.size;
        if (readBytes > room.bytes)
          throw ApplicationFailure.nonRetryable(
            `backup ${key} needs more than ${room.bytes} bytes of restore stage (limited by ${room.by})`,
            FailureType.stageFull,
          );
        if (relative === undefined) {
          for await (const _chunk of body) {
            // read and discard: the reader still authenticates and hashes every byte
          }
          return;
        }
        stagedBytes += entry.size;
        if (section === 'resources' || section === 'monitoring') yamlBytes += entry.size;
        // The YAML is parsed in memory when applied: bounded well below the worker's memory.
        if (yamlBytes > MAX_YAML_BYTES)
          throw ApplicationFailure.nonRetryable(
            `backup ${key}: resource YAML over ${MAX_YAML_BYTES} bytes`,
            FailureType.badArchive,
          );
        if (section === 'models') models += 1;
        else if (section === 'database') databaseBytes = entry.size;
        else sections[section as 'resources' | 'monitoring'].push(relative);
        await mkdir(dirname(join(partial, relative)), { recursive: true });
        await pipeline(body, createWriteStream(join(partial, relative)));
      },
    });
    const { fullManifest: _digests, ...summary } = verified;
    // A backup is written to the key its workflow id names: found under another, it is a copy (an
    // old backup put where a newer one is expected, say) and is not restored.
    const sealedAs = objectKeyFor('_', summary.manifest.workflowId).slice('_/'.length);
    if (key.split('/').at(-1) !== sealedAs)
      throw badArchive(
        `backup ${key} was written by ${summary.manifest.workflowId} as ${sealedAs}: a copy is not restored`,
      );
    const record: StageRecord = {
      ...summary,
      owner: ctx.owner,
      stagedBytes,
      ...sections,
      models,
      databaseBytes,
      format: STAGE_FORMAT,
    };
    await writeFile(join(partial, RECORD), JSON.stringify(record));
    // A stage for another object or ETag (the backup was replaced) gives way to this one.
    await rm(dir, { recursive: true, force: true });
    await rename(partial, dir);
    return {
      dir,
      record,
      staged: { ...stagedOf(record), downloadedBytes: verified.objectBytes + verified.pieceBytes, reused: false },
    };
  } finally {
    await rm(partial, { recursive: true, force: true });
  }
}

function stagedOf(record: StageRecord): Omit<StagedBackup, 'downloadedBytes' | 'reused'> {
  const {
    owner: _owner,
    resources: _resources,
    monitoring: _monitoring,
    models: _models,
    databaseBytes: _databaseBytes,
    format: _format,
    ...staged
  } = record;
  return staged;
}

/** The staged YAML of a section, in archive order. */
export async function stagedYaml(stage: OpenStage, section: 'resources' | 'monitoring'): Promise<string[]> {
  return Promise.all(stage.record[section].map((relative) => readFile(join(stage.dir, relative), 'utf8')));
}

/** Removes the recovery's stage (when it has succeeded); nothing to remove is fine. */
export async function discardStage(config: StageConfig, owner: string): Promise<{ removed: boolean }> {
  const dir = join(config.dir, stageName(owner));
  const removed = (await readRecord(dir)) !== undefined;
  await rm(dir, { recursive: true, force: true });
  return { removed };
}

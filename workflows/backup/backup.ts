import type { CreateBackupResult, RetentionReport, VerifyBackupResult } from '../../types/index.ts';
import { backupInputSchema, type BackupInput } from './input.ts';
import { parseInput } from '../shared/input.ts';
import { beginRun } from '../shared/progress.ts';
import { archives } from '../shared/activities.ts';

export interface BackupResult {
  key: string;
  objectBytes: number;
  entries: number;
  /** Pieces of large files this run uploaded, and those the bucket already held (not uploaded again). */
  pieces: { stored: number; reused: number };
  /** Large files the pod reported unchanged since the last backup: not read again (0 from older workers). */
  unchanged: { files: number; bytes: number };
  components: string[];
  /** Wall time from start to verified upload, in ms. */
  durationMs: number;
  verified: Pick<VerifyBackupResult, 'entries' | 'bytes' | 'keyId'>;
  /** What retention deleted and kept, pieces included (`pieces.skipped` says why none could go). */
  retention: Pick<RetentionReport, 'deleted' | 'kept' | 'dryRun' | 'pieces'>;
  notes: string[];
}

/**
 * The guide's automated backup, made trustworthy: collect → tar → zstd → encrypt → multipart upload
 * in one stream, large files as pieces beside it, read back and checked entry by entry, then retention.
 */
export async function backupWorkflow(rawInput: BackupInput = {}): Promise<BackupResult> {
  const input = parseInput(backupInputSchema, 'backupWorkflow', rawInput);
  const progress = beginRun('backup', input.namespace, 3, 'uploading');
  const started = Date.now();

  const created: CreateBackupResult = await archives.createBackup({
    namespace: input.namespace,
    selector: input.selector,
    container: input.container,
    monitoringNamespace: input.monitoringNamespace,
    modelsDir: input.modelsDir,
    components: input.components,
    ...(input.database ? { database: input.database } : {}),
    prefix: input.prefix,
    createdAt: new Date(started).toISOString(),
  });
  progress.stepDone();
  progress.phase('verifying', created.key);
  const verified = await archives.verifyBackup({ key: created.key });
  progress.stepDone();
  progress.phase('retention');
  // An archives activity: sweeping pieces reads the kept backups' manifests, and heartbeats while it does.
  const retention = await archives.applyRetention({
    prefix: input.prefix,
    olderThanDays: input.retentionDays,
    dryRun: input.retentionDryRun,
    keepAtLeast: input.keepAtLeast,
    asOf: new Date().toISOString(),
  });
  progress.stepDone();
  progress.phase('done');
  return {
    key: created.key,
    objectBytes: created.objectBytes,
    entries: created.entries,
    pieces: { stored: created.piecesStored, reused: created.piecesReused },
    unchanged: { files: created.filesUnchanged ?? 0, bytes: created.bytesUnchanged ?? 0 },
    components: created.components,
    durationMs: Date.now() - started,
    verified: { entries: verified.entries, bytes: verified.bytes, keyId: verified.keyId },
    retention: {
      deleted: retention.deleted,
      kept: retention.kept,
      dryRun: retention.dryRun,
      pieces: retention.pieces,
    },
    notes: created.notes,
  };
}

// The backup and restore activities: they read the cluster and the store, and keep Secrets, keys and
// archive bytes to themselves; workflows see object keys, names and counts.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { KubeClients } from '../kubernetes/clients.ts';
import {
  activityStreamContext,
  backupKeyForCurrentWorkflow,
  requireBackupKey,
  type StorageDeps,
} from '../storage/index.ts';
import {
  FailureType,
  type CreateBackupInput,
  type RestoreDatabaseInput,
  type RestoreModelsInput,
  type RestoreResourcesInput,
  type RestoredObject,
} from '../../types/index.ts';
import { DEFAULT_COMMANDS, resolveCommand, type CommandBook } from '../kubernetes/commands.ts';
import { deleteRestored } from './cleanup.ts';
import { collectBackup } from './collect.ts';
import { restoreDatabase } from './database.ts';
import { restoreModels, restoreResources } from './restore.ts';
import { discardStage, ensureStaged, type StageConfig } from './stage.ts';

export interface BackupDeps {
  kube: KubeClients;
  storage?: StorageDeps;
  /** The pods' models directory when an input leaves it empty (PNO_MODELS_DIR, default /app/models). */
  defaultModelsDir?: string;
  /** Where a recovery stages its backup, and how much it may stage. */
  stage?: StageConfig;
  /** The configured commands the database dump and restore name (default: the guide's). */
  commands?: CommandBook;
}

export const DEFAULT_STAGE: StageConfig = { dir: join(tmpdir(), 'pno-restore'), limitBytes: 4 * 1024 ** 3 };

/** The running recovery, which owns its stage: the workflow id, which a retry and a reset keep. */
function recoveryId(): string {
  const { info } = Context.current();
  return info.workflowExecution?.workflowId ?? info.activityId;
}

function stageContext(deps: BackupDeps) {
  return {
    storage: requireStorage(deps),
    stage: deps.stage ?? DEFAULT_STAGE,
    owner: recoveryId(),
    ...activityStreamContext(),
  };
}

/** Inputs may leave the models directory empty: the worker knows where its pods keep models. */
function withModelsDir<T extends { modelsDir: string }>(deps: BackupDeps, input: T): T {
  return { ...input, modelsDir: input.modelsDir || deps.defaultModelsDir || '/app/models' };
}

function requireStorage(deps: BackupDeps): StorageDeps {
  if (!deps.storage)
    throw ApplicationFailure.nonRetryable(
      'no S3 storage configured on this worker (S3_BUCKET, S3_ENDPOINT)',
      FailureType.invalidInput,
    );
  return deps.storage;
}

function restoreContext(deps: BackupDeps) {
  return {
    ...stageContext(deps),
    kube: deps.kube,
    // Owned by this recovery: a retried or re-run restore re-owns the same fields.
    fieldManager: `pno-restore-${recoveryId()}`.slice(0, 128),
  };
}

/** A wait that heartbeats its polls and stops when the activity is cancelled. */
function waitInActivity(timeoutMs: number) {
  const { onProgress, signal } = activityStreamContext();
  return { timeoutMs, pollMs: 500, signal, onProgress: (detail: unknown) => onProgress?.({ detail }) };
}

export function createBackupActivities(deps: BackupDeps) {
  return {
    /** Collects and uploads one encrypted backup; the object key derives from the workflow id. */
    async createBackup(input: CreateBackupInput) {
      const storage = requireStorage(deps);
      const { info } = Context.current();
      return collectBackup(
        {
          kube: deps.kube,
          storage: { ...storage, backupKey: requireBackupKey(storage) },
          workflowId: info.workflowExecution?.workflowId ?? info.activityId,
          runId: info.workflowExecution?.runId ?? '',
          objectKey: backupKeyForCurrentWorkflow(input.prefix),
          commands: deps.commands ?? DEFAULT_COMMANDS,
          ...activityStreamContext(),
        },
        withModelsDir(deps, input),
      );
    },
    /** Downloads, verifies and stages the backup once for this recovery; reused by its later steps. */
    stageBackup: async (input: { key: string; etag?: string }) =>
      (await ensureStaged(stageContext(deps), input.key, input.etag)).staged,
    /** Removes this recovery's stage, once it has succeeded. */
    discardStage: () => discardStage(deps.stage ?? DEFAULT_STAGE, recoveryId()),
    restoreResources: (input: RestoreResourcesInput) => restoreResources(restoreContext(deps), input),
    restoreModels: (input: RestoreModelsInput) => restoreModels(restoreContext(deps), withModelsDir(deps, input)),
    /** Loads the staged database dump through the restore command, once per recovery. */
    restoreDatabase: (input: RestoreDatabaseInput) =>
      restoreDatabase(
        restoreContext(deps),
        input,
        resolveCommand(deps.commands ?? DEFAULT_COMMANDS, input.restoreCommand, 'database.restoreCommand'),
      ),
    /** Deletes what a drill restored; with `timeoutMs`, waits (heartbeating) until it is gone. */
    deleteRestored: (input: { objects: RestoredObject[]; timeoutMs?: number }) =>
      deleteRestored(deps.kube, input.objects, input.timeoutMs ? waitInActivity(input.timeoutMs) : undefined),
  };
}

// The backup and restore activities: they read the cluster and the store, and keep Secrets, keys and
// archive bytes to themselves; workflows see object keys, names and counts.
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
  type RestoreModelsInput,
  type RestoreResourcesInput,
  type RestoredObject,
} from '../../types/index.ts';
import { deleteRestored } from './cleanup.ts';
import { collectBackup } from './collect.ts';
import { restoreModels, restoreResources } from './restore.ts';

export interface BackupDeps {
  kube: KubeClients;
  storage?: StorageDeps;
  /** The pods' models directory when an input leaves it empty (PNO_MODELS_DIR, default /app/models). */
  defaultModelsDir?: string;
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
  const { info } = Context.current();
  return {
    kube: deps.kube,
    storage: requireStorage(deps),
    // Owned by this workflow: a retried or re-run restore re-owns the same fields.
    fieldManager: `pno-restore-${info.workflowExecution?.workflowId ?? info.activityId}`.slice(0, 128),
    ...activityStreamContext(),
  };
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
          ...activityStreamContext(),
        },
        withModelsDir(deps, input),
      );
    },
    restoreResources: (input: RestoreResourcesInput) => restoreResources(restoreContext(deps), input),
    restoreModels: (input: RestoreModelsInput) => restoreModels(restoreContext(deps), withModelsDir(deps, input)),
    deleteRestored: (input: { objects: RestoredObject[] }) => deleteRestored(deps.kube, input.objects),
  };
}

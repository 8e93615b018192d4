// Activities are built from injected clients so tests bind them to real local servers.
import { createAlertActivities, type AlertDeps } from './alerts/index.ts';
import { createBackupActivities, DEFAULT_STAGE } from './backup/index.ts';
import type { StageConfig } from './backup/stage.ts';
import { createHttpActivities, type HttpDeps } from './http/index.ts';
import { createKubernetesActivities, type KubeClients } from './kubernetes/index.ts';
import type { CommandBook } from './kubernetes/commands.ts';
import type { SecurityPolicy } from '../types/index.ts';
import { createModelActivities, type ModelDeps } from './model/index.ts';
import { createReportActivities } from './reports/index.ts';
import { createSecurityActivities, type TrivyConfig } from './security/index.ts';
import { createStorageActivities, type StorageDeps } from './storage/index.ts';

export interface ActivityDeps {
  kube: KubeClients;
  http?: HttpDeps;
  model?: ModelDeps;
  /** S3 bucket and backup key for the backup, verify and retention activities. */
  storage?: StorageDeps;
  /** The inference pods' models directory (PNO_MODELS_DIR). */
  modelsDir?: string;
  /** Alert sinks (Alertmanager, webhook); none means alerts are only logged. */
  alerts?: AlertDeps;
  /** Where a recovery stages its backup, and how much it may stage (PNO_RESTORE_STAGE_DIR, _LIMIT_MIB). */
  restoreStage?: Partial<StageConfig>;
  /** Where trivy and its database live (PNO_TRIVY_PATH, PNO_TRIVY_CACHE_DIR, ...). */
  trivy?: TrivyConfig;
  /** The configuration's security-update rules (allowed registries, approval); default: approval, the running image's registry only. */
  security?: SecurityPolicy;
  /** The commands workflow inputs may name to run in pods (the configuration's `commands`; default the guide's). */
  commands?: CommandBook;
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...createHttpActivities(deps.http),
    ...createKubernetesActivities(deps.kube, deps.commands),
    ...createModelActivities(deps.model),
    ...createStorageActivities(deps.storage),
    ...createBackupActivities({
      kube: deps.kube,
      storage: deps.storage,
      defaultModelsDir: deps.modelsDir,
      stage: { ...DEFAULT_STAGE, ...deps.restoreStage },
      commands: deps.commands,
    }),
    ...createAlertActivities(deps.alerts),
    ...createReportActivities(deps.storage),
    ...createSecurityActivities(deps.kube, deps.trivy, deps.security),
  };
}

/** Every activity the worker registers; workflows proxy this type. */
export type Activities = ReturnType<typeof createActivities>;

// Activities are built from injected clients so tests bind them to real local servers.
import { createAlertActivities, type AlertDeps } from './alerts/index.ts';
import { createHttpActivities, type HttpDeps } from './http/index.ts';
import { createKubernetesActivities, type KubeClients } from './kubernetes/index.ts';
import { createModelActivities, type ModelDeps } from './model/index.ts';
import { createReportActivities } from './reports/index.ts';
import { createStorageActivities, type StorageDeps } from './storage/index.ts';

export interface ActivityDeps {
  kube: KubeClients;
  http?: HttpDeps;
  model?: ModelDeps;
  /** S3 bucket and backup key for the backup, verify and retention activities. */
  storage?: StorageDeps;
  /** Alert sinks (Alertmanager, webhook); none means alerts are only logged. */
  alerts?: AlertDeps;
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...createHttpActivities(deps.http),
    ...createKubernetesActivities(deps.kube),
    ...createModelActivities(deps.model),
    ...createStorageActivities(deps.storage),
    ...createAlertActivities(deps.alerts),
    ...createReportActivities(deps.storage),
  };
}

/** Every activity the worker registers; workflows proxy this type. */
export type Activities = ReturnType<typeof createActivities>;

// Inputs of the backup, disaster-recovery and drill workflows: every field defaulted, checked up front.
import { z } from 'zod';
import { DEFAULT_BACKUP_PREFIX } from '../../types/index.ts';
import {
  boolean,
  commandName,
  integer,
  kubeName,
  kubeNameOrEmpty,
  nestedObject,
  objectKeyPrefix,
  podDirOrEmpty,
  serviceRef,
} from '../shared/fields.ts';
import { defaultsOf, inputObject } from '../shared/input.ts';
import { serviceTarget, targetFields } from '../shared/target.ts';

const componentNames = ['resources', 'monitoring', 'models'] as const;
const componentsRule = `must be a non-empty list of ${componentNames.join(', ')}`;

/** Shaped as DatabaseDump: the pod and container, and the configured command that writes the dump to stdout. */
const databaseDump = nestedObject(
  {
    deployment: kubeNameOrEmpty.default(''),
    container: z.string({ error: 'must name the container to dump in' }),
    dumpCommand: commandName.default('db-dump'),
  },
  {
    unknownKey: 'is not a field of a database dump',
    notObject: 'must be {"deployment": ..., "container": ..., "dumpCommand": "db-dump"} or null',
  },
);

/** Shaped as DatabaseRestore: the pod and container, and the configured command given the dump's path last. */
const databaseRestore = nestedObject(
  {
    deployment: kubeName,
    container: z.string({ error: 'must name the container to restore in' }),
    restoreCommand: commandName.default('db-restore'),
  },
  {
    unknownKey: 'is not a field of a database restore',
    notObject: 'must be {"deployment": ..., "container": ..., "restoreCommand": "db-restore"} or null',
  },
);

/** Object key of the backup, or `latest`: relative, and never climbing out with `..`. */
const backupKey = z
  .string({ error: 'must be an object key or "latest"' })
  .regex(/^(?!\/)(?![\s\S]*\.\.)[\s\S]+$/, { error: 'must be an object key or "latest"' })
  .meta({ rule: 'must be an object key or "latest"' })
  .default('latest')
  .describe('Object key of the backup, or `latest` under `prefix`.');

const prefix = objectKeyPrefix.default(DEFAULT_BACKUP_PREFIX).describe('Object key prefix of the backups.');
const modelsDir = podDirOrEmpty
  .default('')
  .describe("The models directory in the pod; empty means the worker's PNO_MODELS_DIR.");
const readyTimeoutMinutes = integer(1, 24 * 60)
  .default(10)
  .describe('How long restored pods and the rollout may take to become Ready.');

export const backupInputSchema = inputObject({
  namespace: targetFields.namespace,
  selector: targetFields.selector,
  container: targetFields.container,
  monitoringNamespace: targetFields.monitoringNamespace,
  modelsDir,
  components: z
    .array(z.enum(componentNames, { error: componentsRule }), { error: componentsRule })
    .min(1, { error: componentsRule })
    .meta({ rule: componentsRule })
    .default([...componentNames])
    .describe('What to back up.'),
  database: databaseDump
    .nullable()
    .default(null)
    .describe(
      'A database to dump with the configured command `dumpCommand` names (`db-dump`: `pg_dump --clean --if-exists`) in a ready pod of `deployment` (empty: of the service); null means none ("no database" is recorded).',
    ),
  prefix,
  retentionDays: integer(1, 3650).default(30).describe('Backups older than this are deleted.'),
  keepAtLeast: integer(0, 1000).default(3).describe('The newest backups kept whatever their age.'),
  retentionDryRun: boolean.default(false).describe('Report what retention would delete, and delete nothing.'),
});
export type BackupInput = z.input<typeof backupInputSchema>;
export type ParsedBackupInput = z.output<typeof backupInputSchema>;
export const backupDefaults = defaultsOf(backupInputSchema);

export const disasterRecoveryInputSchema = inputObject({
  backupKey,
  prefix,
  targetNamespace: targetFields.namespace.describe('Namespace to restore into (created when missing).'),
  sourceNamespace: kubeNameOrEmpty
    .default('')
    .describe('The namespace the backup must have been taken from; empty means `targetNamespace`.'),
  selector: targetFields.selector,
  container: targetFields.container,
  deployment: targetFields.deployment,
  modelsDir,
  modelFile: z
    .string({ error: 'must be a file name' })
    .regex(/^[\w.-]+$/, { error: 'must be a file name' })
    .meta({ rule: 'must be a file name' })
    .default('pno_model.onnx')
    .describe('The model file in the models directory, checked after the restore.'),
  includeMonitoring: boolean
    .default(false)
    .describe('Also restore the monitoring config (its ConfigMaps) into `monitoringNamespace`.'),
  database: databaseRestore
    .nullable()
    .default(null)
    .describe(
      "Load the backup's database dump in a ready pod of `deployment`, once its rollout is done: the dump is copied into the pod's /tmp and its path appended to the configured command `restoreCommand` names (`db-restore`: `psql -v ON_ERROR_STOP=1 --single-transaction --file`). Null leaves the database as it is.",
    ),
  monitoringNamespace: targetFields.monitoringNamespace,
  force: boolean.default(false).describe('Restore over a namespace whose pods are Ready without waiting for approval.'),
  approvalTimeoutMinutes: integer(1, 7 * 24 * 60)
    .default(60)
    .describe('How long to wait for approval before giving up.'),
  readyTimeoutMinutes,
  verify: boolean.default(true).describe('Run the health check and the ONNX model check after the restore.'),
  apiBaseUrl: targetFields.apiBaseUrl.describe(
    "Base URL of the restored service's API; empty means the worker's PNO_API_URL.",
  ),
  apiService: serviceRef
    .default('')
    .describe('A Service of the target (`name:port`) verified through the API server instead of `apiBaseUrl`.'),
});
export type DisasterRecoveryInput = z.input<typeof disasterRecoveryInputSchema>;
export type ParsedDisasterRecoveryInput = z.output<typeof disasterRecoveryInputSchema>;
export const disasterRecoveryDefaults = defaultsOf(disasterRecoveryInputSchema);

const notTheService = `must not be ${serviceTarget.namespace}`;

export const restoreDrillInputSchema = inputObject({
  backupKey,
  prefix,
  drillNamespace: kubeName
    .refine((namespace) => namespace !== serviceTarget.namespace, { error: notTheService })
    .meta({ rule: `must be a Kubernetes name, and ${notTheService}` })
    .default('pno-dr-drill')
    .describe('The scratch namespace; it lives on between drills (deploy/rbac.yaml binds the worker there).'),
  sourceNamespace: kubeName.default(serviceTarget.namespace).describe('The namespace whose backup is drilled.'),
  readyTimeoutMinutes,
  apiBaseUrl: targetFields.apiBaseUrl.describe(
    "Base URL of the drill copy's API; empty verifies it through `apiService`, never production's URL.",
  ),
  apiService: serviceRef
    .default(`${serviceTarget.service}:8000`)
    .describe("The drill copy's Service (`name:port`), verified through the API server."),
  rtoTargetSeconds: integer(1, 7 * 24 * 3600)
    .default(30 * 60)
    .describe('The recovery time objective: a drill whose restore takes longer fails, and alerts.'),
});
export type RestoreDrillInput = z.input<typeof restoreDrillInputSchema>;
export type ParsedRestoreDrillInput = z.output<typeof restoreDrillInputSchema>;
export const restoreDrillDefaults = defaultsOf(restoreDrillInputSchema);

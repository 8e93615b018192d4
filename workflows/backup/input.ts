// Inputs of the backup, disaster-recovery and drill workflows: every field defaulted, checked up front.
import { DEFAULT_BACKUP_PREFIX, type BackupComponent, type DatabaseDump } from '../../types/index.ts';
import { invalidInput, requireBoolean, requireInteger, requireKubeName, requireSelector, withDefaults } from '../shared/input.ts';

export interface BackupInput {
  namespace?: string;
  selector?: string;
  container?: string;
  monitoringNamespace?: string;
  /** The models directory in the pod; empty means the worker's PNO_MODELS_DIR. */
  modelsDir?: string;
  components?: BackupComponent[];
  /** A database to dump through `dumpCommand` in the pod; null means none ("no database" is recorded). */
  database?: DatabaseDump | null;
  prefix?: string;
  retentionDays?: number;
  /** The newest backups kept whatever their age. */
  keepAtLeast?: number;
  retentionDryRun?: boolean;
}

export const backupDefaults: Required<BackupInput> = {
  namespace: 'production',
  selector: 'app=pno-physics-bench',
  container: 'pno-inference',
  monitoringNamespace: 'monitoring',
  modelsDir: '',
  components: ['resources', 'monitoring', 'models'],
  database: null,
  prefix: DEFAULT_BACKUP_PREFIX,
  retentionDays: 30,
  keepAtLeast: 3,
  retentionDryRun: false,
};

const componentNames: BackupComponent[] = ['resources', 'monitoring', 'models'];

export function requirePrefix(field: string, value: unknown): string {
  if (typeof value !== 'string' || !/^[a-z0-9][a-z0-9._/-]*[a-z0-9]$/.test(value) || value.includes('..') || value.includes('//')) {
    throw invalidInput(field, 'must be an object key prefix like pno/backups', value);
  }
  return value;
}

export function requireModelsDir(field: string, value: unknown): string {
  if (typeof value !== 'string' || (value !== '' && !value.startsWith('/'))) throw invalidInput(field, 'must be an absolute path in the pod, or empty', value);
  return value;
}

export function validateBackupInput(raw: unknown): Required<BackupInput> {
  const input = withDefaults('backupWorkflow', raw, backupDefaults);
  requireKubeName('namespace', input.namespace);
  requireSelector('selector', input.selector);
  requireKubeName('container', input.container);
  requireKubeName('monitoringNamespace', input.monitoringNamespace);
  requireModelsDir('modelsDir', input.modelsDir);
  if (!Array.isArray(input.components) || input.components.length === 0 || input.components.some((c) => !componentNames.includes(c))) {
    throw invalidInput('components', `must be a non-empty list of ${componentNames.join(', ')}`, input.components);
  }
  if (input.database !== null) {
    const db = input.database as Partial<DatabaseDump>;
    if (typeof db !== 'object' || !db || typeof db.container !== 'string') throw invalidInput('database.container', 'must name the container to dump in', db?.container);
    if (!Array.isArray(db.dumpCommand) || db.dumpCommand.length === 0 || db.dumpCommand.some((a) => typeof a !== 'string')) {
      throw invalidInput('database.dumpCommand', 'must be an argument array like ["pg_dump", "-U", "pno", "pno"]', db.dumpCommand);
    }
  }
  requirePrefix('prefix', input.prefix);
  requireInteger('retentionDays', input.retentionDays, 1, 3650);
  requireInteger('keepAtLeast', input.keepAtLeast, 0, 1000);
  requireBoolean('retentionDryRun', input.retentionDryRun);
  return input;
}

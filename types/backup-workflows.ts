// What the backup, disaster-recovery and drill workflows and their activities say to each other.
// References only (object keys, namespaces, counts): no Secret values, keys or archive bytes.

export type BackupComponent = 'resources' | 'monitoring' | 'models' | 'database';

export interface DatabaseDump {
  container: string;
  /** Argument array run in the pod, writing the dump to stdout, e.g. ['pg_dump', '-U', 'pno', 'pno']. */
  dumpCommand: string[];
}

export interface CreateBackupInput {
  namespace: string;
  selector: string;
  container: string;
  monitoringNamespace: string;
  modelsDir: string;
  components: BackupComponent[];
  database?: DatabaseDump;
  /** Object key prefix; the key itself derives from the workflow id. */
  prefix: string;
  /** The workflow's time, so a retried attempt writes the same manifest. */
  createdAt: string;
}

export interface CreateBackupResult {
  bucket: string;
  key: string;
  keyId: string;
  objectBytes: number;
  entries: number;
  plaintextBytes: number;
  components: BackupComponent[];
  /** `Kind/name` of every namespaced resource backed up. */
  resources: string[];
  pod?: string;
  /** The models directory as resolved by the worker. */
  modelsDir: string;
  notes: string[];
}

export interface RestoreResourcesInput {
  key: string;
  targetNamespace: string;
  /** Also restore the monitoring config (its ConfigMaps only). */
  includeMonitoring: boolean;
  /** Where the monitoring config goes; absent means the namespace it was backed up from. */
  monitoringNamespace?: string;
  /** The ETag the recovery staged: a restage must read that very object. */
  etag?: string;
  /** Stamps every restored object (RESTORED_BY_ANNOTATION): which recovery put it there. */
  recovery?: string;
}

/** On each object a recovery restored: `<workflow id>/<original run id>`, which a reset keeps. */
export const RESTORED_BY_ANNOTATION = 'pno.dev/restored-by';

export interface RestoredObject {
  kind: string;
  namespace?: string;
  name: string;
}

export interface RestoreModelsInput {
  key: string;
  namespace: string;
  selector: string;
  container: string;
  modelsDir: string;
  /** The ETag the recovery staged: a restage must read that very object. */
  etag?: string;
}

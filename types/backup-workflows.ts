// What the backup, disaster-recovery and drill workflows and their activities say to each other.
// References only (object keys, namespaces, counts): no Secret values, keys or archive bytes.

export type BackupComponent = 'resources' | 'monitoring' | 'models' | 'database';

export interface DatabaseDump {
  /** The Deployment whose ready pod runs the dump; empty means a pod of the service (the selector). */
  deployment: string;
  container: string;
  /** The worker's configured command run in the pod, writing the dump to stdout (`db-dump`). */
  dumpCommand: string;
}

/** Where and how a recovery loads the backup's database dump. */
export interface DatabaseRestore {
  /** The Deployment whose ready pod runs the restore. */
  deployment: string;
  container: string;
  /** The worker's configured command run in the pod with the path of the dump (copied into the pod) appended (`db-restore`). */
  restoreCommand: string;
}

export interface RestoreDatabaseInput extends DatabaseRestore {
  key: string;
  namespace: string;
  /** The ETag the recovery staged: a restage must read that very object. */
  etag?: string;
  /** The recovery (`<workflow id>/<original run id>`): one that loaded the dump does not load it again. */
  recovery: string;
}

export interface RestoreDatabaseResult {
  pod?: string;
  /** Bytes of dump fed to the restore command; 0 when this recovery had already loaded it. */
  loadedBytes: number;
  /** The dump was loaded by an earlier attempt or run of this recovery (DATABASE_RESTORED_BY_ANNOTATION). */
  alreadyLoaded: boolean;
  downloadedBytes: number;
}

/**
 * On the database's Deployment once a recovery has loaded the dump: `<workflow id>/<original run id>`.
 * A reset or retry of that recovery does not load it again over what was written since.
 */
export const DATABASE_RESTORED_BY_ANNOTATION = 'pno.dev/database-restored-by';

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
  /** Pieces of large files uploaded by this backup, and their sealed bytes. */
  piecesStored: number;
  pieceBytesStored: number;
  /** Pieces the store already held (the same models as an earlier backup): not uploaded again. */
  piecesReused: number;
  /** Large files whose source reported them unchanged since `comparedWith`: named again, not read. */
  filesUnchanged?: number;
  bytesUnchanged?: number;
  /** The earlier backup whose manifest the source was compared with, if one could be read. */
  comparedWith?: string;
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

/**
 * Every ApplicationFailure type the product raises, in one place. Non-retryable ones mark permanent
 * conditions; the few that are retried say so.
 */
export const FailureType = {
  // Anywhere
  invalidInput: 'InvalidInput',
  notFound: 'NotFound',
  forbidden: 'Forbidden',
  conflict: 'Conflict',
  invalidRequest: 'InvalidRequest',

  // Backup and recovery
  /** An archive that fails authentication, its manifest, or the safety rules for entries. */
  badArchive: 'BadArchive',
  /** The restore stage (local disk) cannot hold the backup: PNO_RESTORE_STAGE_LIMIT_MIB or free space. */
  stageFull: 'StageFull',
  /** The backup object changed (another ETag) while a recovery was reading it. */
  backupChanged: 'BackupChanged',
  /** A recovery step failed for good; the failure's details carry the recovery report so far. */
  recoveryFailed: 'RecoveryFailed',
  /** No Ready pod matches the selector yet (retried: pods may still be starting). */
  noReadyPod: 'NoReadyPod',

  // Monitoring
  /** An alert could not be delivered to any sink after its retries. */
  alertDeliveryFailed: 'AlertDeliveryFailed',

  // Model checks (all permanent)
  /** The validation set is not a readable float .npz with the arrays needed. */
  invalidData: 'InvalidData',
  /** The model cannot be run as asked (e.g. a named output it does not have). */
  invalidModel: 'InvalidModel',
  /** The model cannot be fetched (not found, forbidden). */
  modelUnavailable: 'ModelUnavailable',
  /** A model source kind this worker cannot fetch yet. */
  unsupportedSource: 'UnsupportedSource',

  // Security scans (only ScanTimeout and ScanFailed are retried)
  /** The scanner binary is missing or not executable on this worker. */
  scannerMissing: 'ScannerMissing',
  /** No vulnerability database and none can be downloaded (air-gapped, or the mirror refuses). */
  vulnDbUnavailable: 'VulnDbUnavailable',
  /** The scan ran out of time (retryable: a busy registry or host). */
  scanTimeout: 'ScanTimeout',
  /** The image cannot be fetched: unknown reference, no access. */
  imageUnavailable: 'ImageUnavailable',
  /** The report says nothing was checked for vulnerabilities: no clean bill of health. */
  nothingScanned: 'NothingScanned',
  /** The report is not trivy's JSON schema v2. */
  badReport: 'BadReport',
  /** Any other scanner failure, with trivy's own message (retried: it may be a registry hiccup). */
  scanFailed: 'ScanFailed',
} as const;
export type FailureType = (typeof FailureType)[keyof typeof FailureType];

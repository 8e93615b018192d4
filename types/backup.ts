// What backups say about themselves: the manifest written inside every archive, and the facts the
// storage activities report. No key material and no entry bytes ever appear here.

/** Where the product keeps its backups in the bucket unless a workflow says otherwise. */
export const DEFAULT_BACKUP_PREFIX = 'pno/backups';

export interface ManifestEntry {
  /** Relative POSIX path inside the archive (no `..`, no leading `/`). */
  path: string;
  size: number;
  /** Hex SHA-256 of the entry's bytes. */
  sha256: string;
  /**
   * Format v2: the entry is not in the tar but stored as these pieces, in order (content-addressed
   * objects beside the archives, shared by every backup that holds the same bytes).
   */
  pieces?: PieceRef[];
  /**
   * Format v2, optional: what the source said identifies this version of the file (device, inode,
   * size, modification and change times). The next backup names this entry's pieces again, without
   * reading the file, when its source reports the same token.
   */
  changeToken?: string;
}

/** One piece of a large entry: its plaintext's size and hex SHA-256, and the object that holds it. */
export interface PieceRef {
  sha256: string;
  size: number;
  /** The piece object's name under `<prefix>pieces/` (64 hex digits, a keyed hash). */
  object: string;
}

export interface BackupManifest {
  format: 'pno-backup';
  manifestVersion: number;
  /** ISO-8601 time the backup was taken. */
  createdAt: string;
  /** The namespace the backup was collected from. */
  namespace: string;
  /** What the backup holds, e.g. `['resources', 'model']`. */
  components: string[];
  productVersion: string;
  workflowId: string;
  runId: string;
  /** Every entry except the manifest itself, in archive order. */
  entries: ManifestEntry[];
  totalBytes: number;
}

/** The manifest without its per-entry list: safe and small enough for workflow history. */
export type ManifestSummary = Omit<BackupManifest, 'entries'> & { entryCount: number };

/** Caps that make a hostile or broken archive fail before it costs memory or disk. */
export interface ArchiveLimits {
  maxEntryBytes: number;
  maxTotalBytes: number;
  maxEntries: number;
}

export const DEFAULT_ARCHIVE_LIMITS: ArchiveLimits = {
  maxEntryBytes: 8 * 1024 ** 3,
  maxTotalBytes: 32 * 1024 ** 3,
  maxEntries: 100_000,
};

export interface StoredBackup {
  key: string;
  /** ISO-8601 LastModified reported by the store. */
  lastModified: string;
  size: number;
}

export interface VerifyBackupResult {
  bucket: string;
  key: string;
  /** Id of the key the archive was sealed with (never the key). */
  keyId: string;
  /** The archive object's bytes. */
  objectBytes: number;
  /** Piece objects read and checked (format v2's large files), and their bytes. */
  pieces: number;
  pieceBytes: number;
  /** Entries checked against the manifest (the manifest itself not counted). */
  entries: number;
  /** Plaintext bytes of those entries. */
  bytes: number;
  manifest: ManifestSummary;
}

export interface RetentionInput {
  /** Only keys under this prefix are considered; it must not be empty. */
  prefix: string;
  /** Backups whose LastModified is more than this many days old are deleted. */
  olderThanDays: number;
  /** Report what would go, delete nothing. */
  dryRun: boolean;
  /** The newest backups kept whatever their age, so a stalled schedule never empties the store. */
  keepAtLeast?: number;
}

export interface PieceSweep {
  /** Pieces deleted (or, in a dry run, that would be): named by no kept backup, older than the grace period. */
  deleted: number;
  deletedBytes: number;
  /** Pieces left: named by a kept backup, or too young to be sure no backup in flight needs them. */
  kept: number;
  /** Why nothing was swept, when nothing could be (an archive this worker cannot read, say). */
  skipped?: string;
}

export interface RetentionReport {
  prefix: string;
  dryRun: boolean;
  cutoff: string;
  /** Backups deleted (or, in a dry run, that would be), oldest first; capped at `reportLimit`. */
  deleted: StoredBackup[];
  deletedCount: number;
  deletedBytes: number;
  kept: number;
  /** Incomplete multipart uploads under the prefix older than the cutoff, aborted (or that would be). */
  abortedUploads: number;
  /** The sweep of pieces (format v2) no kept backup names. */
  pieces: PieceSweep;
  /** What the configuration's minimums raised, e.g. `olderThanDays 1 → 7 (retention.minDays)`. */
  raised?: string[];
}

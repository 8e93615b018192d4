// The archive library: an authenticated, streamed tar format with content-addressed pieces for large
// files, and a reader that refuses what a restore must not touch. Storage (activities/storage) moves these streams to and from S3.
export { BackupKey, BackupKeyError, loadBackupKey, loadRetiredKeys } from './keys.ts';
export { createEncryptStream } from './encrypt.ts';
export { createDecryptStream } from './decrypt.ts';
export { DEFAULT_CHUNK_SIZE } from './format.ts';
export {
  CURRENT_LAYOUT,
  FORMAT_VERSION,
  LAYOUT_V1,
  LAYOUT_V2,
  MANIFEST_ENTRY,
  formatLabel,
  versionOfLabel,
  type ArchiveLayout,
  type ArchiveSection,
  type EntryPlace,
  type ObjectSection,
} from './layout.ts';
export { READABLE_FORMAT_VERSIONS, formatReaderFor } from './format-readers.ts';
export {
  createSealedArchive,
  sealTar,
  type ArchiveEntry,
  type SourceEntry,
  type UnchangedEntry,
  type SealedArchive,
  type SealOptions,
  type WriteProgress,
} from './tar-writer.ts';
export {
  readArchive,
  type EntryConsumer,
  type EntryInfo,
  type ReadArchiveOptions,
  type ReadArchiveResult,
} from './safe-reader.ts';
export {
  MIN_PIECED_FILE_BYTES,
  PIECE_BYTES,
  openPiece,
  pieceName,
  sealPiece,
  type PieceSink,
  type PieceSource,
} from './pieces.ts';
export { buildManifest, summarizeManifest, type ManifestInfo } from './manifest.ts';
export { directoryEntries } from './directory-entries.ts';
export { earlierBackup, NO_EARLIER_BACKUP, type EarlierBackup } from './earlier-backup.ts';
export { isRacy, CHANGE_TOKEN_MARGIN_MS } from './change-tokens.ts';
export { badArchive, isBadArchive } from './failures.ts';
export { productVersion } from './version.ts';

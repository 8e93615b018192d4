// One reader per archive format version this product has ever written, chosen by the version in the
// archive's prelude. A reader is never removed or changed once released, so every stored backup stays
// restorable: a new format adds its reader beside the old ones, never in place of one.
import type { Transform } from 'node:stream';
import { createGunzip, createZstdDecompress } from 'node:zlib';
import type { BackupManifest } from '../../types/index.ts';
import { createDecryptStream } from './decrypt.ts';
import { badArchive } from './failures.ts';
import type { BackupKey } from './keys.ts';
import { LAYOUT_V1, LAYOUT_V2, type ArchiveLayout } from './layout.ts';
import { parseManifest } from './manifest.ts';

/** What differs between versions; the tar-level safety checks in safe-reader.ts apply to all. */
export interface FormatReader {
  layout: ArchiveLayout;
  /** Sealed bytes (from the first prelude byte) → authenticated plaintext. */
  decrypt(key: BackupKey): Transform;
  /** Plaintext → tar bytes. */
  decompress(): Transform;
  parseManifest(bytes: Buffer): BackupManifest;
}

const v1: FormatReader = {
  layout: LAYOUT_V1,
  decrypt: (key) => createDecryptStream(key, LAYOUT_V1.version),
  decompress: () => createGunzip(),
  parseManifest: (bytes) => parseManifest(bytes, LAYOUT_V1),
};

const v2: FormatReader = {
  layout: LAYOUT_V2,
  decrypt: (key) => createDecryptStream(key, LAYOUT_V2.version),
  decompress: () => createZstdDecompress(),
  parseManifest: (bytes) => parseManifest(bytes, LAYOUT_V2),
};

const READERS: ReadonlyMap<number, FormatReader> = new Map([v1, v2].map((r) => [r.layout.version, r]));

export const READABLE_FORMAT_VERSIONS: readonly number[] = [...READERS.keys()].sort((a, b) => a - b);

/** The reader for `version`, or a permanent refusal naming it and the versions this product reads. */
export function formatReaderFor(version: number, where = 'archive'): FormatReader {
  const reader = READERS.get(version);
  if (reader) return reader;
  const readable = READABLE_FORMAT_VERSIONS.map((v) => `v${v}`).join(', ');
  const newer = version > Math.max(...READABLE_FORMAT_VERSIONS) ? ' (a newer release may have written it)' : '';
  throw badArchive(`${where}: format version ${version} cannot be read; this reader reads format ${readable}${newer}`);
}

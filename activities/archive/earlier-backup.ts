// What a backup knows of the one before it: the large files it stored as pieces, with the change
// token their source reported. A source that reports the same token for a file again yields it as
// unchanged, and the writer names the earlier pieces again without reading a byte. Only an
// authenticated manifest (read back through the safe reader) is ever used this way.
import type { BackupManifest, ManifestEntry } from '../../types/index.ts';
import type { PieceSink } from './pieces.ts';

export interface EarlierBackup {
  /** Whether this version of the file (same size and token) is stored, as pieces the store still holds. */
  has(path: string, size: number, changeToken: string): boolean;
  /** The earlier entry of a file `has` accepted. */
  entry(path: string): ManifestEntry | undefined;
}

export const NO_EARLIER_BACKUP: EarlierBackup = { has: () => false, entry: () => undefined };

export function earlierBackup(manifest: BackupManifest, sink: Pick<PieceSink, 'holds'>): EarlierBackup {
  const byPath = new Map<string, ManifestEntry>();
  for (const e of manifest.entries) if (e.pieces && e.changeToken) byPath.set(e.path, e);
  return {
    has(path, size, changeToken) {
      const before = byPath.get(path);
      return (
        before !== undefined &&
        before.size === size &&
        before.changeToken === changeToken &&
        before.pieces!.every((p) => sink.holds(p))
      );
    },
    entry: (path) => byPath.get(path),
  };
}

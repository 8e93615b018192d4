// Where each part of a backup lives inside the archive, per format version, and which version the
// writer produces. The writer, the collector, the verifier and the restorer name entries only through
// this module, as Velero's writer and reader share one set of layout constants. A layout that has been
// written to a stored backup never changes: a new format adds LAYOUT_V2 beside LAYOUT_V1 and moves
// CURRENT_LAYOUT, and format-readers.ts keeps a reader for every version.

/** Sections of Kubernetes objects: one YAML file per object. */
export type ObjectSection = 'resources' | 'cluster' | 'monitoring';
/** What a part of a backup is, whatever the format version spells its paths as. */
export type ArchiveSection = ObjectSection | 'models' | 'database';

/** Where an entry belongs: what a restore acts on, so it never parses paths itself. */
export interface EntryPlace {
  section: ArchiveSection;
  /** The entry's path inside its section, e.g. `checkpoints/epoch-12.bin` for a model file. */
  relative: string;
}

export interface ArchiveLayout {
  /** The format version: the sealed header's version byte and the object metadata's label. */
  readonly version: number;
  /** The manifest's entry name; it is always the archive's last entry. */
  readonly manifestEntry: string;
  /** manifest.json's `format` field. */
  readonly manifestFormat: 'pno-backup';
  /** manifest.json's `manifestVersion` field. */
  readonly manifestVersion: number;
  /** The database dump's entry name. */
  readonly databaseDump: string;
  /** Whether a manifest entry may be stored as pieces instead of in the tar (v2 on). */
  readonly piecedEntries: boolean;
  objectPath(section: ObjectSection, kind: string, name: string): string;
  /** A file of the pods' models directory, by its path relative to that directory. */
  modelPath(relative: string): string;
  /** The place of an entry this layout gives a meaning to; undefined for any other. */
  locate(path: string): EntryPlace | undefined;
}

/** Every format's name family: manifest.json's `format`, and the stem of the metadata label. */
const FAMILY = 'pno-backup';

const V1_PREFIX: Record<ArchiveSection, string> = {
  resources: 'resources',
  cluster: 'cluster',
  monitoring: 'monitoring',
  models: 'models',
  database: 'database',
};
const V1_DUMP_NAME = 'dump.sql';
const V1_OBJECT_SUFFIX = '.yaml';

/**
 * Format v1: `resources/<Kind>/<name>.yaml` (the namespace's objects), `cluster/<Kind>/<name>.yaml`
 * (the volumes they bind), `monitoring/<Kind>/<name>.yaml`, `models/<path>` (the models directory),
 * `database/dump.sql`, and `manifest.json` last. Read forever: do not change it.
 */
export const LAYOUT_V1: ArchiveLayout = {
  version: 1,
  manifestEntry: 'manifest.json',
  manifestFormat: FAMILY,
  manifestVersion: 1,
  piecedEntries: false,
  databaseDump: `${V1_PREFIX.database}/${V1_DUMP_NAME}`,
  objectPath: (section, kind, name) => `${V1_PREFIX[section]}/${kind}/${name}${V1_OBJECT_SUFFIX}`,
  modelPath: (relative) => `${V1_PREFIX.models}/${relative}`,
  locate(path) {
    const slash = path.indexOf('/');
    if (slash <= 0) return undefined;
    const top = path.slice(0, slash);
    const relative = path.slice(slash + 1);
    if (top === V1_PREFIX.database) return relative === V1_DUMP_NAME ? { section: 'database', relative } : undefined;
    if (top === V1_PREFIX.models) return { section: 'models', relative };
    if (!path.endsWith(V1_OBJECT_SUFFIX)) return undefined;
    const section = (['resources', 'cluster', 'monitoring'] as const).find((s) => V1_PREFIX[s] === top);
    return section ? { section, relative } : undefined;
  },
};

/**
 * Format v2: v1's paths, in a tar of zstd frames rather than gzip; a large file (model weights) is no
 * tar entry but a list of content-addressed pieces in its manifest entry (pieces.ts), stored once
 * beside the archives however many backups name them. Read forever: do not change it.
 */
export const LAYOUT_V2: ArchiveLayout = { ...LAYOUT_V1, version: 2, manifestVersion: 2, piecedEntries: true };

/** The layout the writer and the collector produce now. */
export const CURRENT_LAYOUT: ArchiveLayout = LAYOUT_V2;
export const FORMAT_VERSION = CURRENT_LAYOUT.version;
export const MANIFEST_ENTRY = CURRENT_LAYOUT.manifestEntry;

/** The object-metadata label of a format version (`pno-backup-v1`), readable without the key. */
export function formatLabel(version: number): string {
  return `${FAMILY}-v${version}`;
}

const LABEL = new RegExp(`^${FAMILY}-v([1-9][0-9]{0,8})$`);

/** The version a label names, or undefined if it is not a label formatLabel() makes. */
export function versionOfLabel(label: string): number | undefined {
  const match = LABEL.exec(label);
  return match ? Number(match[1]) : undefined;
}

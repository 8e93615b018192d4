// Builds the manifest the writer appends, and checks the one a reader finds against what it read.
import type { BackupManifest, ManifestEntry, ManifestSummary } from '../../types/index.ts';
import { badArchive } from './failures.ts';
import { CURRENT_LAYOUT, type ArchiveLayout } from './layout.ts';
import { PIECE_BYTES } from './pieces.ts';

/** What the caller knows about a backup; the writer adds the entries. */
export interface ManifestInfo {
  namespace: string;
  components: string[];
  workflowId: string;
  runId: string;
  productVersion: string;
  /** Defaults to now. Workflows pass their own time so a retried attempt writes the same value. */
  createdAt?: string;
}

export function buildManifest(info: ManifestInfo, entries: ManifestEntry[]): BackupManifest {
  return {
    format: CURRENT_LAYOUT.manifestFormat,
    manifestVersion: CURRENT_LAYOUT.manifestVersion,
    createdAt: info.createdAt ?? new Date().toISOString(),
    namespace: info.namespace,
    components: [...info.components],
    productVersion: info.productVersion,
    workflowId: info.workflowId,
    runId: info.runId,
    entries,
    totalBytes: entries.reduce((sum, e) => sum + e.size, 0),
  };
}

export function summarizeManifest(manifest: BackupManifest): ManifestSummary {
  const { entries, ...rest } = manifest;
  return { ...rest, entryCount: entries.length };
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** Parses the manifest entry's bytes, refusing anything that is not the manifest of `layout`'s format. */
export function parseManifest(bytes: Buffer, layout: ArchiveLayout): BackupManifest {
  const name = layout.manifestEntry;
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
  } catch {
    throw badArchive(`${name} is not valid JSON`);
  }
  const problem = (field: string) => badArchive(`${name}: missing or invalid ${field}`);
  if (value === null || typeof value !== 'object') throw problem('object');
  if (value.format !== layout.manifestFormat) throw problem('format');
  if (value.manifestVersion !== layout.manifestVersion) {
    throw badArchive(
      `${name}: unsupported manifestVersion ${String(value.manifestVersion)} (format v${layout.version} has ${layout.manifestVersion})`,
    );
  }
  for (const field of ['createdAt', 'namespace', 'productVersion', 'workflowId', 'runId'] as const) {
    if (!isString(value[field])) throw problem(field);
  }
  if (!Array.isArray(value.components) || !value.components.every(isString)) throw problem('components');
  if (!isCount(value.totalBytes)) throw problem('totalBytes');
  if (!Array.isArray(value.entries)) throw problem('entries');
  for (const [i, e] of (value.entries as Record<string, unknown>[]).entries()) {
    if (!e || !isString(e.path) || !isCount(e.size) || !isDigest(e.sha256)) throw problem(`entries[${i}]`);
    if (e.pieces !== undefined && !(layout.piecedEntries && validPieces(e.pieces, e.size)))
      throw problem(`entries[${i}].pieces`);
    if (e.changeToken !== undefined && !(isString(e.changeToken) && e.changeToken.length <= MAX_TOKEN_LENGTH))
      throw problem(`entries[${i}].changeToken`);
  }
  return value as unknown as BackupManifest;
}

/** Far more than any source's token needs (device, inode, size, two times). */
const MAX_TOKEN_LENGTH = 256;

const isDigest = (v: unknown): v is string => isString(v) && /^[0-9a-f]{64}$/.test(v);

/** A non-empty list of pieces, none larger than a piece, that add up to the entry's size. */
function validPieces(pieces: unknown, size: number): boolean {
  if (!Array.isArray(pieces) || pieces.length === 0) return false;
  let total = 0;
  for (const p of pieces as Record<string, unknown>[]) {
    if (!p || !isDigest(p.sha256) || !isDigest(p.object) || !isCount(p.size) || p.size === 0 || p.size > PIECE_BYTES)
      return false;
    total += p.size;
  }
  return total === size;
}

/**
 * The entries read must be exactly the manifest's (named `name`): same set, same sizes, same digests.
 * With `piecesRead: false` the entries stored as pieces were not read and are not asked for.
 */
export function checkAgainstManifest(
  manifest: BackupManifest,
  read: ManifestEntry[],
  name: string,
  { piecesRead = true } = {},
): void {
  const listed = new Map(manifest.entries.map((e) => [e.path, e]));
  if (listed.size !== manifest.entries.length) throw badArchive(`${name} lists an entry twice`);
  const unread = piecesRead ? [] : manifest.entries.filter((e) => e.pieces);
  for (const entry of unread) listed.delete(entry.path);
  for (const entry of read) {
    const expected = listed.get(entry.path);
    if (!expected) throw badArchive(`entry ${entry.path}: not listed in ${name}`);
    if (expected.size !== entry.size)
      throw badArchive(`entry ${entry.path}: ${entry.size} bytes, ${name} says ${expected.size}`);
    if (expected.sha256 !== entry.sha256) throw badArchive(`entry ${entry.path}: SHA-256 does not match ${name}`);
    if (Boolean(expected.pieces) !== Boolean(entry.pieces))
      throw badArchive(`entry ${entry.path}: ${name} stores it ${expected.pieces ? 'as pieces' : 'in the tar'}`);
    listed.delete(entry.path);
  }
  const missing = [...listed.keys()];
  if (missing.length > 0)
    throw badArchive(
      `entry ${missing[0]}: listed in ${name} but missing from the archive${missing.length > 1 ? ` (and ${missing.length - 1} more)` : ''}`,
    );
  const total = [...read, ...unread].reduce((sum, e) => sum + e.size, 0);
  if (total !== manifest.totalBytes)
    throw badArchive(`${name} totalBytes ${manifest.totalBytes} does not match the entries' ${total}`);
}

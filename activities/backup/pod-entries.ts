// A pod's directory as archive entries, streamed straight from `tar cf -` over exec into the backup
// (as `kubectl cp` reads it) without staging on disk. The pod's tar is untrusted: only regular files
// with clean relative names pass. Given the earlier backup, the pod first lists its files (pod-listing.ts):
// large files in the very version that backup holds are not read at all, and tar reads only the rest.
import { PassThrough, Readable } from 'node:stream';
import { ApplicationFailure } from '@temporalio/common';
import tar from 'tar-stream';
import { NO_EARLIER_BACKUP, type EarlierBackup, type SourceEntry } from '../archive/index.ts';
import type { KubeClients } from '../kubernetes/clients.ts';
import { checkPodTarEntry } from '../kubernetes/copy.ts';
import { boundedText, execStream, type ExecTarget } from '../kubernetes/exec.ts';
import { FailureType } from '../../types/index.ts';
import { listPodFiles, type ListedFile } from './pod-listing.ts';

export interface PodDirectoryOptions {
  signal?: AbortSignal;
  /** The backup before this one: its unchanged files are not read. */
  earlier?: EarlierBackup;
  /** The clock change times are judged by (ms); defaults to now. */
  now?: () => number;
  /** Told that the pod could not list the directory (so every file is read). */
  onUnlisted?: () => void;
}

/** Names per `tar` when only some files are read: well inside what an exec request's URL carries. */
const TAR_ARGUMENT_BYTES = 32 * 1024;

/** `entryPath` names each file's archive entry from its path relative to `remoteDir`. */
export async function* podDirectoryEntries(
  kube: KubeClients,
  target: ExecTarget,
  remoteDir: string,
  entryPath: (relative: string) => string,
  options: PodDirectoryOptions = {},
): AsyncGenerator<SourceEntry> {
  const earlier = options.earlier ?? NO_EARLIER_BACKUP;
  const listing = await listPodFiles(kube, target, remoteDir, options);
  const unchanged = [...(listing ?? [])].filter(
    ([name, file]) => file.changeToken && earlier.has(entryPath(name), file.size, file.changeToken),
  );
  if (!listing) options.onUnlisted?.();
  if (unchanged.length === 0) {
    yield* tarEntries(kube, target, remoteDir, ['.'], entryPath, listing, options.signal);
    return;
  }
  for (const [name, file] of unchanged)
    yield { path: entryPath(name), size: file.size, changeToken: file.changeToken!, unchanged: true };
  const skip = new Set(unchanged.map(([name]) => name));
  const rest = [...listing!.keys()].filter((name) => !skip.has(name)).map((name) => `./${name}`);
  for (const batch of batches(rest))
    yield* tarEntries(kube, target, remoteDir, batch, entryPath, listing, options.signal);
}

function batches(names: string[]): string[][] {
  const out: string[][] = [];
  let bytes = Infinity;
  for (const name of names) {
    if (bytes + name.length > TAR_ARGUMENT_BYTES) {
      out.push([]);
      bytes = 0;
    }
    out.at(-1)!.push(name);
    bytes += name.length + 1;
  }
  return out;
}

/** `tar cf - -C dir -- names…` in the pod, as entries carrying the listing's change tokens. */
async function* tarEntries(
  kube: KubeClients,
  target: ExecTarget,
  remoteDir: string,
  names: string[],
  entryPath: (relative: string) => string,
  listing: Map<string, ListedFile> | undefined,
  signal: AbortSignal | undefined,
): AsyncGenerator<SourceEntry> {
  const stdout = new PassThrough();
  const stderr = boundedText(8 * 1024);
  const extract = tar.extract();
  stdout.pipe(extract);
  const where = `${target.pod}:${remoteDir}`;
  const exited = execStream(kube, target, ['tar', 'cf', '-', '-C', remoteDir, '--', ...names], {
    stdout,
    stderr: stderr.sink,
    signal,
  });
  // If the command fails before any output, end the extractor so the loop below finishes.
  exited.catch((err: unknown) => extract.destroy(err as Error));

  for await (const entry of extract) {
    const name = checkPodTarEntry(entry.header, where);
    if (name === '' || entry.header.type === 'directory') {
      entry.resume();
      continue;
    }
    const size = entry.header.size ?? 0;
    // A token vouches only for the size it was listed with; a file that changed since gets none.
    const listed = listing?.get(name);
    const changeToken = listed?.size === size ? listed.changeToken : undefined;
    // The writer reads this entry to its end before asking for the next.
    yield {
      path: entryPath(name),
      size,
      source: Readable.from(entry),
      ...(entry.header.mtime ? { mtime: entry.header.mtime } : {}),
      ...(changeToken ? { changeToken } : {}),
    };
  }
  const exitCode = await exited;
  // Files named from the listing may have gone since: a retry lists again.
  if (exitCode !== 0 && names[0] !== '.')
    throw new Error(`${where}: tar of the changed files exited ${exitCode}; a retry lists the directory again`);
  if (exitCode !== 0)
    throw ApplicationFailure.nonRetryable(
      `${where}: tar exited ${exitCode}: ${stderr.text().trim()}`,
      FailureType.invalidRequest,
    );
}

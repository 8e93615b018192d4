// A pod's directory as archive entries, streamed straight from `tar cf -` over exec into the backup
// (as `kubectl cp` reads it) without staging on disk. The pod's tar is untrusted: only regular files
// with clean relative names pass.
import { PassThrough, Readable } from 'node:stream';
import { ApplicationFailure } from '@temporalio/common';
import tar from 'tar-stream';
import type { ArchiveEntry } from '../archive/index.ts';
import type { KubeClients } from '../kubernetes/clients.ts';
import { checkPodTarEntry } from '../kubernetes/copy.ts';
import { boundedText, execStream, type ExecTarget } from '../kubernetes/exec.ts';
import { FailureType } from '../../types/index.ts';

/** `entryPath` names each file's archive entry from its path relative to `remoteDir`. */
export async function* podDirectoryEntries(
  kube: KubeClients,
  target: ExecTarget,
  remoteDir: string,
  entryPath: (relative: string) => string,
  signal?: AbortSignal,
): AsyncGenerator<ArchiveEntry> {
  const stdout = new PassThrough();
  const stderr = boundedText(8 * 1024);
  const extract = tar.extract();
  stdout.pipe(extract);
  const where = `${target.pod}:${remoteDir}`;
  const exited = execStream(kube, target, ['tar', 'cf', '-', '-C', remoteDir, '.'], {
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
    // The writer reads this entry to its end before asking for the next.
    yield {
      path: entryPath(name),
      size: entry.header.size ?? 0,
      source: Readable.from(entry),
      ...(entry.header.mtime ? { mtime: entry.header.mtime } : {}),
    };
  }
  const exitCode = await exited;
  if (exitCode !== 0)
    throw ApplicationFailure.nonRetryable(
      `${where}: tar exited ${exitCode}: ${stderr.text().trim()}`,
      FailureType.invalidRequest,
    );
}

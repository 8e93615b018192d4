// Copies a directory out of / into a pod the way `kubectl cp` does: tar over exec, streamed. Coming
// out, the tar is untrusted: only regular files and directories with clean relative names are
// written, and the total size is capped.
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { PassThrough, Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ApplicationFailure } from '@temporalio/common';
import tar from 'tar-stream';
import { directoryEntries } from '../archive/directory-entries.ts';
import { entryPathProblem } from '../archive/entry-path.ts';
import type { KubeClients } from './clients.ts';
import { boundedText, execCommand, execStream, type ExecTarget } from './exec.ts';
import { FailureType } from '../../types/index.ts';

export interface CopyResult {
  files: number;
  bytes: number;
}

/** `tar cf - -C dir .` names entries `./a/b`; the root entry is `./`. */
function relativeName(name: string): string {
  return name.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
}

/**
 * Pads a tar stream to whole 10 KiB records, as tar itself writes them. GNU tar reading a pipe waits
 * to fill a record, so without the padding it would wait for an end of input that some exec
 * implementations never deliver.
 */
function padToTarRecord(): Transform {
  const record = 20 * 512;
  let length = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      length += chunk.length;
      done(null, chunk);
    },
    flush(done) {
      const short = (record - (length % record)) % record;
      done(null, short > 0 ? Buffer.alloc(short) : undefined);
    },
  });
}

function refuse(message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, FailureType.invalidRequest);
}

/**
 * Checks one entry of a tar coming out of a pod (untrusted): returns its clean relative name ('' for
 * the root entry); refuses unsafe names and anything but regular files and directories.
 */
export function checkPodTarEntry(header: { name: string; type?: string | null }, where: string): string {
  const name = relativeName(header.name);
  if (name === '') return name;
  const problem = entryPathProblem(name);
  if (problem) throw refuse(`${where}: entry ${JSON.stringify(header.name)}: ${problem}`);
  if (header.type !== 'file' && header.type !== 'directory')
    throw refuse(`${where}: entry ${name} is a ${header.type}, not a regular file`);
  return name;
}

export async function copyFromPod(
  kube: KubeClients,
  target: ExecTarget,
  remoteDir: string,
  localDir: string,
  options: { maxBytes?: number; signal?: AbortSignal; onProgress?: (bytes: number) => void; only?: string } = {},
): Promise<CopyResult> {
  const maxBytes = options.maxBytes ?? 10 * 2 ** 30;
  const result: CopyResult = { files: 0, bytes: 0 };
  const extract = tar.extract();
  const stdout = new PassThrough();
  const stderr = boundedText(8 * 1024);
  extract.on('entry', (header, stream, next) => {
    const where = `copy from ${target.pod}:${remoteDir}`;
    const handle = async () => {
      const name = checkPodTarEntry(header, where);
      if (name === '') return stream.resume();
      if (header.type === 'directory') {
        await mkdir(join(localDir, name), { recursive: true });
        return stream.resume();
      }
      result.bytes += header.size ?? 0;
      if (result.bytes > maxBytes) throw refuse(`${where}: more than ${maxBytes} bytes`);
      await mkdir(dirname(join(localDir, name)), { recursive: true });
      await pipeline(stream, createWriteStream(join(localDir, name)));
      result.files += 1;
      options.onProgress?.(result.bytes);
    };
    handle().then(
      () => next(),
      (err: unknown) => extract.destroy(err as Error),
    );
  });

  await mkdir(localDir, { recursive: true });
  const [exitCode] = await Promise.all([
    // `only` copies one entry of the directory (a single file) instead of all of it.
    execStream(kube, target, ['tar', 'cf', '-', '-C', remoteDir, options.only ?? '.'], {
      stdout,
      stderr: stderr.sink,
      signal: options.signal,
    }),
    pipeline(stdout, extract),
  ]);
  if (exitCode !== 0)
    throw refuse(`copy from ${target.pod}:${remoteDir}: tar exited ${exitCode}: ${stderr.text().trim()}`);
  return result;
}

export async function copyToPod(
  kube: KubeClients,
  target: ExecTarget,
  localDir: string,
  remoteDir: string,
  options: { signal?: AbortSignal } = {},
): Promise<CopyResult> {
  const mkdirResult = await execCommand(kube, target, ['mkdir', '-p', remoteDir], options);
  if (mkdirResult.exitCode !== 0) throw refuse(`mkdir ${remoteDir} in ${target.pod}: ${mkdirResult.stderr.trim()}`);

  const pack = tar.pack();
  const result: CopyResult = { files: 0, bytes: 0 };
  const feed = (async () => {
    for await (const entry of directoryEntries(localDir)) {
      // Only a backup, given the one before it, is told a file is unchanged; a copy always reads it.
      if ('unchanged' in entry) throw new Error(`${entry.path}: unexpectedly reported unchanged`);
      const sink = pack.entry({ name: entry.path, size: entry.size, mode: 0o644 });
      await pipeline(entry.source instanceof Uint8Array ? [entry.source] : entry.source, sink);
      result.files += 1;
      result.bytes += entry.size;
    }
    pack.finalize();
  })();
  const stderr = boundedText(8 * 1024);
  const [exitCode] = await Promise.all([
    execStream(kube, target, ['tar', 'xmf', '-', '-C', remoteDir], {
      stdin: Readable.from(pack).pipe(padToTarRecord()),
      stderr: stderr.sink,
      signal: options.signal,
    }),
    feed.catch((err: unknown) => {
      pack.destroy(err as Error);
      throw err;
    }),
  ]);
  if (exitCode !== 0)
    throw refuse(`copy to ${target.pod}:${remoteDir}: tar exited ${exitCode}: ${stderr.text().trim()}`);
  return result;
}

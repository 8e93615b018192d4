// Archive entries for a local directory tree, opened one at a time as the writer asks for them.
// Links and special files are refused rather than followed: a backup holds regular files only.
import { createReadStream } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { ArchiveEntry } from './tar-writer.ts';

const READ_BYTES = 1024 * 1024;

export async function* directoryEntries(root: string, prefix = ''): AsyncGenerator<ArchiveEntry> {
  const names = (await readdir(root)).sort();
  for (const name of names) {
    const full = join(root, name);
    const path = prefix ? posix.join(prefix, name) : name;
    const stat = await lstat(full);
    if (stat.isDirectory()) yield* directoryEntries(full, path);
    // 1 MiB reads, not the default 64 KiB: each read is a round trip to the thread pool.
    else if (stat.isFile())
      yield { path, size: stat.size, source: createReadStream(full, { highWaterMark: READ_BYTES }), mtime: stat.mtime };
    else throw new Error(`${full}: not a regular file or directory; refusing to archive it`);
  }
}

// Archive entries for a local directory tree, opened one at a time as the writer asks for them.
// Links and special files are refused rather than followed: a backup holds regular files only.
// Each file carries a change token from lstat, and a file the earlier backup holds in that very
// version is yielded as unchanged, without being opened.
import { createReadStream } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { isRacy } from './change-tokens.ts';
import { NO_EARLIER_BACKUP, type EarlierBackup } from './earlier-backup.ts';
import type { SourceEntry } from './tar-writer.ts';

const READ_BYTES = 1024 * 1024;

export interface DirectoryOptions {
  /** The backup before this one; its files in the same version are not read. */
  earlier?: EarlierBackup;
  /** The clock change times are judged by (ms); defaults to now. */
  now?: () => number;
}

export async function* directoryEntries(root: string, options: DirectoryOptions = {}): AsyncGenerator<SourceEntry> {
  yield* walk(root, '', options.earlier ?? NO_EARLIER_BACKUP, options.now ?? Date.now);
}

async function* walk(
  root: string,
  prefix: string,
  earlier: EarlierBackup,
  now: () => number,
): AsyncGenerator<SourceEntry> {
  const names = (await readdir(root)).sort();
  for (const name of names) {
    const full = join(root, name);
    const path = prefix ? posix.join(prefix, name) : name;
    const stat = await lstat(full, { bigint: true });
    if (stat.isDirectory()) yield* walk(full, path, earlier, now);
    else if (stat.isFile()) {
      const size = Number(stat.size);
      const token = isRacy(Number(stat.ctimeNs / 1_000_000n), now())
        ? undefined
        : `local:${stat.dev}:${stat.ino}:${size}:${stat.mtimeNs}:${stat.ctimeNs}`;
      if (token && earlier.has(path, size, token)) yield { path, size, changeToken: token, unchanged: true };
      // 1 MiB reads, not the default 64 KiB: each read is a round trip to the thread pool.
      else
        yield {
          path,
          size,
          source: createReadStream(full, { highWaterMark: READ_BYTES }),
          mtime: new Date(Number(stat.mtimeMs)),
          ...(token ? { changeToken: token } : {}),
        };
    } else throw new Error(`${full}: not a regular file or directory; refusing to archive it`);
  }
}

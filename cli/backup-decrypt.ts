// `pno backup decrypt`: opens a backup object with a key file through the product's own reader for
// its format version, and writes the authenticated plaintext (a .tar.gz). With -o the file appears
// only once every chunk, the last included, has verified; on stdout a failure ends the stream early
// and the command exits 1, so `tar` sees an error, never forged bytes.
import { createReadStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { BackupKeyError, readKeyFile, type BackupKey } from '../activities/archive/keys.ts';
import { decodeHeader, HEADER_BYTES, PRELUDE_BYTES, preludeVersion } from '../activities/archive/format.ts';
import { formatReaderFor } from '../activities/archive/format-readers.ts';

export class DecryptError extends Error {
  override name = 'DecryptError';
}

function loadKeys(files: string[]): BackupKey[] {
  return files.map((file) => {
    try {
      return readKeyFile(file, `--key-file ${file}`);
    } catch (err) {
      throw err instanceof BackupKeyError ? new DecryptError(err.message) : err;
    }
  });
}

/** The format version and key id in the object's header, read before anything is decrypted. */
async function readHeader(path: string): Promise<{ version: number; keyId: string }> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    throw new DecryptError(`${path}: cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    const head = Buffer.alloc(HEADER_BYTES);
    const { bytesRead } = await handle.read(head, 0, HEADER_BYTES, 0);
    if (bytesRead < PRELUDE_BYTES) throw new DecryptError(`${path}: ${bytesRead} bytes, too short to be a backup`);
    const version = preludeVersion(head);
    formatReaderFor(version, path);
    return { version, keyId: decodeHeader(head.subarray(0, bytesRead)).keyId };
  } catch (err) {
    throw err instanceof DecryptError ? err : new DecryptError((err as Error).message);
  } finally {
    await handle.close();
  }
}

export async function decryptBackupFile(
  path: string,
  keyFiles: string[],
  out?: string,
): Promise<{ version: number; keyId: string; bytes: number }> {
  const keys = loadKeys(keyFiles);
  const { version, keyId } = await readHeader(path);
  const key = keys.find((k) => k.id === keyId);
  if (!key)
    throw new DecryptError(
      `${path} is sealed with key ${keyId}; the key files hold ${keys.map((k) => k.id).join(', ')}`,
    );
  const reader = formatReaderFor(version, path);
  let bytes = 0;
  const partial = out ? `${out}.partial` : undefined;
  // Created here, owner-only, never an existing file or a symlink someone planted: the plaintext holds Secrets.
  let handle;
  if (partial) {
    try {
      handle = await open(partial, 'wx', 0o600);
    } catch (err) {
      throw new DecryptError(
        `${partial}: cannot create (${(err as NodeJS.ErrnoException).code ?? 'error'}); remove it if an earlier run left it`,
      );
    }
  }
  const sink = handle ? handle.createWriteStream() : process.stdout;
  try {
    await pipeline(
      createReadStream(path),
      reader.decrypt(key),
      async function* (source) {
        for await (const chunk of source as AsyncIterable<Buffer>) {
          bytes += chunk.length;
          yield chunk;
        }
      },
      sink,
    );
  } catch (err) {
    if (partial) await rm(partial, { force: true });
    throw new DecryptError(`${path}: ${(err as Error).message}`);
  }
  if (partial && out) await rename(partial, out);
  return { version, keyId, bytes };
}

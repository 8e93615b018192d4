// `pno backup decrypt`: opens a backup object with a key file through the product's own reader for
// its format version, and writes the authenticated plaintext: a .tar.gz (v1) or a .tar.zst holding
// the small files and the manifest (v2). With --pieces (v2) it writes a plain tar of every entry
// instead, each large file put together from the piece objects in that directory and checked
// against the manifest. With -o the file appears only once every chunk, the last included, has
// verified; on stdout a failure ends the stream early and the command exits 1, so `tar` sees an
// error, never forged bytes.
import { createReadStream } from 'node:fs';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { openPiece, type PieceSource } from '../activities/archive/pieces.ts';
import { readArchive } from '../activities/archive/safe-reader.ts';
import { MANIFEST_ENTRY } from '../activities/archive/layout.ts';
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

/** What was written: the sealed plaintext as it is, or (with --pieces) a plain tar of every entry. */
export type DecryptedKind = 'tar.gz' | 'tar.zst' | 'tar';

/** Piece objects as `pno backup download --pieces` (or `aws s3 sync`) leaves them: one file per name. */
function directoryPieces(dir: string, key: BackupKey): PieceSource {
  return {
    async fetch(ref) {
      const name = ref.object;
      const sealed = await readFile(join(dir, name)).catch((err: NodeJS.ErrnoException) => {
        throw new DecryptError(`${join(dir, name)}: cannot read piece (${err.code ?? 'error'})`);
      });
      return openPiece(key, sealed, ref);
    },
  };
}

/** Every entry of a v2 archive into a plain tar, pieces put together; the manifest last. */
async function writeWholeTar(
  path: string,
  key: BackupKey,
  piecesDir: string,
  sink: Writable,
  count: (n: number) => void,
) {
  const pack = tar.pack();
  const written = pipeline(
    pack,
    async function* (source) {
      for await (const chunk of source as AsyncIterable<Buffer>) {
        count(chunk.length);
        yield chunk;
      }
    },
    sink,
  );
  written.catch(() => undefined);
  try {
    const result = await readArchive(createReadStream(path), {
      key,
      pieces: directoryPieces(piecesDir, key),
      onEntry: async (entry, body) => {
        await pipeline(body, pack.entry({ name: entry.path, size: entry.size, mode: 0o600 }) as unknown as Writable);
      },
    });
    const manifest = Buffer.from(`${JSON.stringify(result.manifest, null, 1)}\n`);
    await pipeline(
      Readable.from([manifest]),
      pack.entry({ name: MANIFEST_ENTRY, size: manifest.length, mode: 0o600 }) as unknown as Writable,
    );
    pack.finalize();
  } catch (err) {
    pack.destroy(err as Error);
    throw err;
  }
  await written;
}

export async function decryptBackupFile(
  path: string,
  keyFiles: string[],
  out?: string,
  piecesDir?: string,
): Promise<{ version: number; keyId: string; bytes: number; kind: DecryptedKind }> {
  const keys = loadKeys(keyFiles);
  const { version, keyId } = await readHeader(path);
  const key = keys.find((k) => k.id === keyId);
  if (!key)
    throw new DecryptError(
      `${path} is sealed with key ${keyId}; the key files hold ${keys.map((k) => k.id).join(', ')}`,
    );
  const reader = formatReaderFor(version, path);
  if (piecesDir && !reader.layout.piecedEntries)
    throw new DecryptError(`--pieces: ${path} is format v${version}, which keeps every file in its tar`);
  const kind: DecryptedKind = piecesDir ? 'tar' : reader.layout.piecedEntries ? 'tar.zst' : 'tar.gz';
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
    if (piecesDir) {
      await writeWholeTar(path, key, piecesDir, sink, (n) => (bytes += n));
    } else {
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
    }
  } catch (err) {
    if (partial) await rm(partial, { force: true });
    if (err instanceof DecryptError) throw err;
    throw new DecryptError(`${path}: ${(err as Error).message}`);
  }
  if (partial && out) await rename(partial, out);
  return { version, keyId, bytes, kind };
}

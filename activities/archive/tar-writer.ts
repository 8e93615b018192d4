// Streams entries into tar → gzip → encryption, learning each entry's size and SHA-256 on the way,
// and appends the manifest as the last entry. Nothing is buffered beyond stream high-water marks.
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { constants as zlib } from 'node:zlib';
import { ApplicationFailure } from '@temporalio/common';
import tar from 'tar-stream';
import { FailureType, type BackupManifest, type ManifestEntry } from '../../types/index.ts';
import { createAdaptiveGzip } from './adaptive-gzip.ts';
import { EntryDigest } from './digest-stream.ts';
import { createEncryptStream } from './encrypt.ts';
import { entryPathProblem } from './entry-path.ts';
import type { BackupKey } from './keys.ts';
import { MANIFEST_ENTRY } from './layout.ts';
import { buildManifest, type ManifestInfo } from './manifest.ts';

export interface ArchiveEntry {
  /** Relative POSIX path inside the archive. */
  path: string;
  /** Exact byte count; tar needs it before the bytes. */
  size: number;
  source: Readable | Uint8Array;
  mtime?: Date;
}

export interface WriteProgress {
  entries: number;
  /** Plaintext bytes packed so far. */
  bytes: number;
}

export interface SealOptions {
  /** gzip level for compressible data (random-looking chunks are stored); default 6, as `tar -z`. */
  gzipLevel?: number;
  chunkSize?: number;
}

export interface SealedArchive {
  /** The encrypted archive; read it to the end or destroy it. */
  stream: Readable;
  /** The manifest as written, once the last byte has been sealed. */
  manifest: Promise<BackupManifest>;
  /** Encrypted bytes produced so far. */
  sealedBytes(): number;
}

/** tar bytes → gzip → encryption. Exported so tests can seal hand-built (hostile) tars the same way. */
export function sealTar(
  tarBytes: Readable,
  key: BackupKey,
  options: SealOptions = {},
): { stream: Readable; done: Promise<void>; sealedBytes(): number } {
  let sealedBytes = 0;
  // The last stage is what consumers read; destroying it (a failed upload) tears down the whole chain.
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      sealedBytes += chunk.length;
      callback(null, chunk);
    },
  });
  const gzip = createAdaptiveGzip(options.gzipLevel ?? zlib.Z_DEFAULT_COMPRESSION);
  const done = pipeline(tarBytes, gzip, createEncryptStream(key, { chunkSize: options.chunkSize }), stream);
  return { stream, done, sealedBytes: () => sealedBytes };
}

export function createSealedArchive(
  entries: AsyncIterable<ArchiveEntry> | Iterable<ArchiveEntry>,
  info: ManifestInfo,
  key: BackupKey,
  options: SealOptions & { onProgress?: (progress: WriteProgress) => void } = {},
): SealedArchive {
  const pack = tar.pack();
  const sealed = sealTar(pack as unknown as Readable, key, options);
  const createdAt = info.createdAt ?? new Date().toISOString();
  const progress: WriteProgress = { entries: 0, bytes: 0 };

  const produce = async (): Promise<BackupManifest> => {
    const written: ManifestEntry[] = [];
    const seen = new Set<string>();
    for await (const entry of entries) {
      try {
        refuseEntry(entry, seen);
      } catch (err) {
        if (entry.source instanceof Readable) entry.source.destroy();
        throw err;
      }
      written.push(
        await packEntry(pack, entry, new Date(createdAt), (n) => {
          progress.bytes += n;
          options.onProgress?.(progress);
        }),
      );
      progress.entries += 1;
      options.onProgress?.(progress);
    }
    const manifest = buildManifest({ ...info, createdAt }, written);
    const json = Buffer.from(`${JSON.stringify(manifest, null, 1)}\n`);
    await packEntry(pack, { path: MANIFEST_ENTRY, size: json.length, source: json }, new Date(createdAt), () => {});
    pack.finalize();
    return manifest;
  };

  const manifest = produce().then(
    async (m) => {
      await sealed.done;
      return m;
    },
    (err: unknown) => {
      // Destroying (not ending) the pack makes the sealed stream fail, so no upload can complete it.
      pack.destroy(err as Error);
      throw err;
    },
  );
  // The error surfaces through the stream and through `manifest`; nothing is left unhandled.
  sealed.done.catch(() => undefined);
  return { stream: sealed.stream, manifest, sealedBytes: sealed.sealedBytes };
}

function refuseEntry(entry: ArchiveEntry, seen: Set<string>): void {
  const problem =
    entry.path === MANIFEST_ENTRY ? `"${MANIFEST_ENTRY}" is reserved for the manifest` : entryPathProblem(entry.path);
  const refuse = (why: string) =>
    ApplicationFailure.nonRetryable(`archive entry ${JSON.stringify(entry.path)}: ${why}`, FailureType.invalidInput);
  if (problem) throw refuse(problem);
  if (seen.has(entry.path)) throw refuse('listed twice');
  if (!Number.isSafeInteger(entry.size) || entry.size < 0) throw refuse(`invalid size ${entry.size}`);
  seen.add(entry.path);
}

async function packEntry(
  pack: tar.Pack,
  entry: ArchiveEntry,
  mtime: Date,
  onBytes: (n: number) => void,
): Promise<ManifestEntry> {
  const digest = new EntryDigest();
  const size = entry.source instanceof Uint8Array ? entry.source.length : entry.size;
  if (size !== entry.size)
    throw new Error(`archive entry ${entry.path}: buffer holds ${size} bytes, declared ${entry.size}`);
  const sink = pack.entry({ name: entry.path, size, type: 'file', mode: 0o644, mtime: entry.mtime ?? mtime });
  const source = entry.source instanceof Uint8Array ? Readable.from([entry.source]) : entry.source;
  const counted = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      digest.update(chunk);
      // A source that grows while read (a log file) would corrupt the tar: fail, and let a retry re-read it.
      if (digest.bytes > size)
        return callback(new Error(`archive entry ${entry.path}: source gave more than the declared ${size} bytes`));
      onBytes(chunk.length);
      callback(null, chunk);
    },
    flush(callback) {
      callback(
        digest.bytes === size
          ? null
          : new Error(`archive entry ${entry.path}: source gave ${digest.bytes} bytes, declared ${size}`),
      );
    },
  });
  await pipeline(source, counted, sink as unknown as NodeJS.WritableStream);
  return { path: entry.path, size, sha256: digest.hex() };
}

// Streams entries into tar → zstd frames → encryption (format v2), learning each entry's size and
// SHA-256 on the way, and appends the manifest as the last entry. Large files go to a piece sink
// instead of the tar when one is given (pieces.ts). Nothing is buffered beyond stream high-water
// marks and the pieces in flight.
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ApplicationFailure } from '@temporalio/common';
import tar from 'tar-stream';
import { FailureType, type BackupManifest, type ManifestEntry, type PieceRef } from '../../types/index.ts';
import { EntryDigest } from './digest-stream.ts';
import { createEncryptStream } from './encrypt.ts';
import { entryPathProblem } from './entry-path.ts';
import type { BackupKey } from './keys.ts';
import { FORMAT_VERSION, MANIFEST_ENTRY } from './layout.ts';
import { NO_EARLIER_BACKUP, type EarlierBackup } from './earlier-backup.ts';
import { buildManifest, type ManifestInfo } from './manifest.ts';
import { hashPiece, MIN_PIECED_FILE_BYTES, PIECE_BYTES, type PieceSink } from './pieces.ts';
import { createZstdFrames } from './zstd-frames.ts';

export interface ArchiveEntry {
  /** Relative POSIX path inside the archive. */
  path: string;
  /** Exact byte count; tar needs it before the bytes. */
  size: number;
  source: Readable | Uint8Array;
  mtime?: Date;
  /** What identifies this version of the file at its source (see EarlierBackup); kept for pieced files. */
  changeToken?: string;
}

/** A large file its source reports unchanged since the earlier backup (EarlierBackup.has said so). */
export interface UnchangedEntry {
  path: string;
  size: number;
  changeToken: string;
  unchanged: true;
}

export type SourceEntry = ArchiveEntry | UnchangedEntry;

export interface WriteProgress {
  entries: number;
  /** Plaintext bytes packed so far. */
  bytes: number;
}

export interface SealOptions {
  /** zstd level for compressible data (random-looking blocks are stored); default 3, as `zstd`. */
  zstdLevel?: number;
  chunkSize?: number;
}

export interface SealedArchive {
  /** The encrypted archive; read it to the end or destroy it. */
  stream: Readable;
  /** The manifest as written, once the last byte has been sealed. */
  manifest: Promise<BackupManifest>;
  /** Encrypted bytes produced so far. */
  sealedBytes(): number;
  /** Files named again from the earlier backup, unread, so far. */
  unchanged: { files: number; bytes: number };
}

/** tar bytes → zstd → encryption. Exported so tests can seal hand-built (hostile) tars the same way. */
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
  const done = pipeline(
    tarBytes,
    createZstdFrames(options.zstdLevel),
    createEncryptStream(key, { chunkSize: options.chunkSize, version: FORMAT_VERSION }),
    stream,
  );
  return { stream, done, sealedBytes: () => sealedBytes };
}

export function createSealedArchive(
  entries: AsyncIterable<SourceEntry> | Iterable<SourceEntry>,
  info: ManifestInfo,
  key: BackupKey,
  options: SealOptions & {
    onProgress?: (progress: WriteProgress) => void;
    /** Where files of MIN_PIECED_FILE_BYTES or more go; without one every file is in the tar. */
    pieces?: PieceSink;
    /** The backup before this one, whose pieces unchanged entries name again. */
    earlier?: EarlierBackup;
  } = {},
): SealedArchive {
  const pack = tar.pack();
  const sealed = sealTar(pack as unknown as Readable, key, options);
  const createdAt = info.createdAt ?? new Date().toISOString();
  const progress: WriteProgress = { entries: 0, bytes: 0 };
  const unchanged = { files: 0, bytes: 0 };

  // Once the sealed stream has failed (the upload gave up), reading more files for pieces is waste.
  let stopped: unknown;
  sealed.done.catch((err: unknown) => (stopped ??= err ?? new Error('archive stream failed')));

  const produce = async (): Promise<BackupManifest> => {
    const written: ManifestEntry[] = [];
    const seen = new Set<string>();
    for await (const entry of entries) {
      const discard = () => {
        if ('source' in entry && entry.source instanceof Readable) entry.source.destroy();
      };
      if (stopped !== undefined) {
        discard();
        throw stopped;
      }
      try {
        refuseEntry(entry, seen);
      } catch (err) {
        discard();
        throw err;
      }
      const onBytes = (n: number) => {
        progress.bytes += n;
        options.onProgress?.(progress);
      };
      if ('unchanged' in entry) {
        written.push(await namePiecesAgain(options.pieces, options.earlier, entry));
        unchanged.files += 1;
        unchanged.bytes += entry.size;
      } else
        written.push(
          options.pieces && entry.size >= MIN_PIECED_FILE_BYTES
            ? await putPieces(options.pieces, entry, onBytes, () => stopped)
            : await packEntry(pack, entry, new Date(createdAt), onBytes),
        );
      progress.entries += 1;
      options.onProgress?.(progress);
    }
    // The manifest may name a piece only once it is stored: the archive must never outlive a part.
    await options.pieces?.flush();
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
  return { stream: sealed.stream, manifest, sealedBytes: sealed.sealedBytes, unchanged };
}

function refuseEntry(entry: SourceEntry, seen: Set<string>): void {
  const problem =
    entry.path === MANIFEST_ENTRY ? `"${MANIFEST_ENTRY}" is reserved for the manifest` : entryPathProblem(entry.path);
  const refuse = (why: string) =>
    ApplicationFailure.nonRetryable(`archive entry ${JSON.stringify(entry.path)}: ${why}`, FailureType.invalidInput);
  if (problem) throw refuse(problem);
  if (seen.has(entry.path)) throw refuse('listed twice');
  if (!Number.isSafeInteger(entry.size) || entry.size < 0) throw refuse(`invalid size ${entry.size}`);
  seen.add(entry.path);
}

/** Counts and hashes an entry's bytes, failing if the source gives more or fewer than declared. */
function sizeChecked(entry: ArchiveEntry, digest: EntryDigest, onBytes: (n: number) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      digest.update(chunk);
      // A source that grows while read (a log file) would corrupt the tar: fail, and let a retry re-read it.
      if (digest.bytes > entry.size)
        return callback(
          new Error(`archive entry ${entry.path}: source gave more than the declared ${entry.size} bytes`),
        );
      onBytes(chunk.length);
      callback(null, chunk);
    },
    flush(callback) {
      callback(
        digest.bytes === entry.size
          ? null
          : new Error(`archive entry ${entry.path}: source gave ${digest.bytes} bytes, declared ${entry.size}`),
      );
    },
  });
}

function sourceOf(entry: ArchiveEntry): Readable {
  const size = entry.source instanceof Uint8Array ? entry.source.length : entry.size;
  if (size !== entry.size)
    throw new Error(`archive entry ${entry.path}: buffer holds ${size} bytes, declared ${entry.size}`);
  return entry.source instanceof Uint8Array ? Readable.from([entry.source]) : entry.source;
}

/** An unchanged file's manifest entry: the earlier one, its pieces named again by the store. */
async function namePiecesAgain(
  sink: PieceSink | undefined,
  earlier: EarlierBackup = NO_EARLIER_BACKUP,
  entry: UnchangedEntry,
): Promise<ManifestEntry> {
  const before = earlier.entry(entry.path);
  if (!sink || !before?.pieces || !earlier.has(entry.path, entry.size, entry.changeToken))
    throw new Error(
      `archive entry ${entry.path}: reported unchanged, but the earlier backup does not hold that version`,
    );
  const pieces: PieceRef[] = [];
  for (const p of before.pieces) pieces.push({ sha256: p.sha256, size: p.size, object: await sink.putAgain(p) });
  return { path: entry.path, size: entry.size, sha256: before.sha256, pieces, changeToken: entry.changeToken };
}

/** Pieces hashed at once on the thread pool, while this thread reads and hashes the whole file. */
const PIECES_HASHING = 2;

/** A large entry as pieces handed to the sink; the tar gets nothing, the manifest their list. */
async function putPieces(
  sink: PieceSink,
  entry: ArchiveEntry,
  onBytes: (n: number) => void,
  stopped: () => unknown,
): Promise<ManifestEntry> {
  const digest = new EntryDigest();
  const pieces: PieceRef[] = [];
  const inFlight: Promise<void>[] = [];
  // Hashed side by side, handed to the sink one at a time and in order.
  let handed: Promise<unknown> = Promise.resolve();
  let piece = Buffer.allocUnsafe(PIECE_BYTES);
  let filled = 0;
  const put = async () => {
    const failure = stopped();
    if (failure !== undefined) throw failure;
    const bytes = piece.subarray(0, filled);
    const index = pieces.length;
    pieces.push({ sha256: '', size: bytes.length, object: '' });
    const hashed = hashPiece(bytes);
    const done = (async () => {
      const [ref] = await Promise.all([hashed, handed.catch(() => undefined)]);
      pieces[index] = { ...ref, object: await sink.put(bytes, ref) };
    })();
    handed = done;
    done.catch(() => undefined);
    inFlight.push(done);
    if (inFlight.length >= PIECES_HASHING) await inFlight.shift();
    piece = Buffer.allocUnsafe(PIECE_BYTES);
    filled = 0;
  };
  try {
    await pipeline(sourceOf(entry), sizeChecked(entry, digest, onBytes), async (chunks: AsyncIterable<Buffer>) => {
      for await (const chunk of chunks) {
        for (let at = 0; at < chunk.length;) {
          const copied = chunk.copy(piece, filled, at);
          filled += copied;
          at += copied;
          if (filled === PIECE_BYTES) await put();
        }
      }
    });
    if (filled > 0) await put();
  } finally {
    // Settle what is in flight either way: a failure must not leave puts running past this entry.
    const settled = await Promise.allSettled(inFlight);
    const failed = settled.find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
  }
  return {
    path: entry.path,
    size: entry.size,
    sha256: digest.hex(),
    pieces,
    ...(entry.changeToken ? { changeToken: entry.changeToken } : {}),
  };
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

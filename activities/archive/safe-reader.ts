// Reads an archive written by tar-writer.ts, in any format version this product has written (the
// reader for the version decrypts and decompresses it): tar entries, refusing anything a restore
// must not touch (links, devices, absolute or `..` paths, oversized or surplus entries), then the
// entries the manifest lists as pieces (v2), several fetched at once, and checks every entry against
// the manifest. The GCM layer means a consumer only ever sees authenticated
// bytes, but the manifest comes last: a consumer that changes things should stage what it receives
// and act only after `readArchive` resolves.
import { PassThrough, Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ApplicationFailure } from '@temporalio/common';
import tar from 'tar-stream';
import {
  DEFAULT_ARCHIVE_LIMITS,
  type ArchiveLimits,
  type BackupManifest,
  type ManifestEntry,
} from '../../types/index.ts';
import { EntryDigest } from './digest-stream.ts';
import { entryPathProblem } from './entry-path.ts';
import { badArchive } from './failures.ts';
import { dispatchOnFormatVersion } from './format-dispatch.ts';
import type { BackupKey } from './keys.ts';
import type { EntryPlace } from './layout.ts';
import { checkAgainstManifest } from './manifest.ts';
import type { PieceSource } from './pieces.ts';
import { tarGuard } from './tar-guard.ts';

/** The manifest is read into memory; this caps it (100k entries need about 15 MB). */
const MAX_MANIFEST_BYTES = 64 * 1024 * 1024;
/** Tar framing per entry (header, pax header, padding), allowed on top of the entries' bytes. */
const FRAMING_PER_ENTRY = 4 * 512;

export interface EntryInfo {
  path: string;
  size: number;
  /** Position in the archive, from 0. */
  index: number;
  /** What the archive's layout says the entry is; undefined for an entry it gives no meaning to. */
  place?: EntryPlace;
}

/** Receives one entry's bytes; must read `body` to its end, destroy it, or return. */
export type EntryConsumer = (entry: EntryInfo, body: Readable) => Promise<void>;

export interface ReadArchiveOptions {
  key: BackupKey;
  limits?: Partial<ArchiveLimits>;
  onEntry?: EntryConsumer;
  onProgress?: (progress: { entries: number; bytes: number }) => void;
  signal?: AbortSignal;
  /**
   * Where the pieces of a v2 archive's large entries come from; needed only if it has any. `skip`
   * reads and checks the tar and the manifest only (the entries stored as pieces are not read).
   */
  pieces?: PieceSource | 'skip';
  /** Pieces fetched at once (default 2): the store's round trips overlap; each more holds ~12 MiB while in flight. */
  piecesInFlight?: number;
}

export interface ReadArchiveResult {
  keyId: string;
  formatVersion: number;
  manifest: BackupManifest;
  /** Entries read and checked, the manifest not counted. */
  entries: number;
  bytes: number;
}

/**
 * Errors from `source` itself (a dropped download) are rethrown as they are, so they stay retryable;
 * everything wrong with the bytes is a non-retryable BadArchive failure naming the entry.
 */
export async function readArchive(
  source: AsyncIterable<Uint8Array>,
  options: ReadArchiveOptions,
): Promise<ReadArchiveResult> {
  const limits = { ...DEFAULT_ARCHIVE_LIMITS, ...options.limits };
  const transportErrors = new WeakSet<object>();
  const consumerErrors = new WeakSet<object>();

  async function* transport() {
    try {
      yield* source;
    } catch (err) {
      if (err && typeof err === 'object') transportErrors.add(err);
      throw err;
    }
  }

  const { reader, stream } = await dispatchOnFormatVersion(transport()).catch((err: unknown) => {
    throw options.signal?.aborted ? options.signal.reason : err;
  });
  const manifestEntry = reader.layout.manifestEntry;
  // Stops the pieces still being fetched when the read fails (or the caller cancels it).
  const fetching = new AbortController();
  const fetchSignal = options.signal ? AbortSignal.any([options.signal, fetching.signal]) : fetching.signal;
  const extract = tar.extract();
  const piping = pipeline(
    stream,
    reader.decrypt(options.key),
    reader.decompress(),
    byteCap(limits.maxTotalBytes + MAX_MANIFEST_BYTES + (limits.maxEntries + 1) * FRAMING_PER_ENTRY),
    tarGuard(),
    extract as unknown as NodeJS.WritableStream,
    { signal: options.signal },
  );

  const read: ManifestEntry[] = [];
  const seen = new Set<string>();
  let manifest: BackupManifest | undefined;
  let bytes = 0;
  let total = 0;

  /** A path may appear once, and only as a clean relative name. */
  const claimPath = (label: string, path: string) => {
    const problem = entryPathProblem(path);
    if (problem) throw badArchive(`${label}: ${problem}`);
    if (seen.has(path)) throw badArchive(`${label}: appears twice`);
    seen.add(path);
  };
  /** Counts an entry against the limits, before a byte of it is read; what a consumer is told of it. */
  const admit = (label: string, path: string, size: number): EntryInfo => {
    if (read.length + 1 > limits.maxEntries) throw badArchive(`${label}: more than ${limits.maxEntries} entries`);
    if (size > limits.maxEntryBytes)
      throw badArchive(`${label}: ${size} bytes exceeds the per-entry limit of ${limits.maxEntryBytes}`);
    if (total + size > limits.maxTotalBytes)
      throw badArchive(`${label}: the archive exceeds the total limit of ${limits.maxTotalBytes} bytes`);
    total += size;
    const place = reader.layout.locate(path);
    return { path, size, index: read.length, ...(place ? { place } : {}) };
  };

  const reading = (async () => {
    for await (const entry of extract) {
      const { name, type, size } = entry.header;
      const label = `entry ${JSON.stringify(name)}`;
      if (manifest) throw badArchive(`${label}: found after ${manifestEntry}, which must be last`);
      if (type !== 'file') throw badArchive(`${label}: ${type} entries are not allowed (regular files only)`);
      claimPath(label, name);
      const entrySize = size ?? 0;
      // tarGuard has checked the framing; this is the parser's own view, checked again before any use.
      if (!Number.isSafeInteger(entrySize) || entrySize < 0)
        throw badArchive(`${label}: size ${entrySize} is not valid`);

      if (name === manifestEntry) {
        if (entrySize > MAX_MANIFEST_BYTES)
          throw badArchive(`${label}: ${entrySize} bytes exceeds the ${MAX_MANIFEST_BYTES}-byte manifest limit`);
        const chunks: Buffer[] = [];
        for await (const chunk of entry) chunks.push(chunk as Buffer);
        manifest = reader.parseManifest(Buffer.concat(chunks));
        continue;
      }

      const info = admit(label, name, entrySize);
      const digest = new EntryDigest();
      await deliver(entry as AsyncIterable<Uint8Array>, info, digest, options.onEntry, consumerErrors, (n) => {
        bytes += n;
        options.onProgress?.({ entries: read.length, bytes });
      });
      read.push({ path: name, size: digest.bytes, sha256: digest.hex() });
    }
    if (!manifest) throw badArchive(`archive has no ${manifestEntry} (truncated, or not a PNO backup)`);
    const source = options.pieces;
    if (source === 'skip') return checkAgainstManifest(manifest, read, manifestEntry, { piecesRead: false });
    const pieced = manifest.entries.filter((e) => e.pieces);
    if (pieced.length > 0 && !source)
      throw new Error(
        `readArchive: the archive stores ${pieced.length} entries as pieces, and no piece source was given`,
      );
    const fetched = prefetch(
      pieced.flatMap((e) => e.pieces!),
      (ref) =>
        source!.fetch(ref, fetchSignal).catch((err: unknown) => {
          // A dropped download of a piece is the store's trouble, retryable like one of the archive;
          // only a refusal (a bad piece) is about the bytes.
          if (err && typeof err === 'object' && !(err instanceof ApplicationFailure)) transportErrors.add(err);
          throw err;
        }),
      options.piecesInFlight ?? 2,
    );
    for (const entry of pieced) {
      const label = `entry ${JSON.stringify(entry.path)}`;
      claimPath(label, entry.path);
      const info = admit(label, entry.path, entry.size);
      // Each piece was checked against its SHA-256 as it came; the entry is their concatenation, so
      // hashing it whole again would prove nothing more. Only its size is counted.
      const digest = new ByteCount();
      await deliver(take(fetched, entry.pieces!.length), info, digest, options.onEntry, consumerErrors, (n) => {
        bytes += n;
        options.onProgress?.({ entries: read.length, bytes });
      });
      read.push({ path: entry.path, size: digest.bytes, sha256: entry.sha256, pieces: entry.pieces! });
    }
    checkAgainstManifest(manifest, read, manifestEntry);
  })();

  const [piped, parsed] = await Promise.allSettled([piping, reading]);
  const failures = [parsed, piped].flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  if (failures.length > 0) {
    fetching.abort();
    extract.destroy();
    throw rootCause(failures, { transportErrors, consumerErrors, signal: options.signal });
  }
  return {
    keyId: options.key.id,
    formatVersion: reader.layout.version,
    manifest: manifest!,
    entries: read.length,
    bytes,
  };
}

function rootCause(
  failures: unknown[],
  from: { transportErrors: WeakSet<object>; consumerErrors: WeakSet<object>; signal?: AbortSignal },
): unknown {
  if (from.signal?.aborted) return from.signal.reason;
  const isObject = (e: unknown): e is object => typeof e === 'object' && e !== null;
  const transport = failures.find((e) => isObject(e) && from.transportErrors.has(e));
  if (transport) return transport;
  const consumer = failures.find((e) => isObject(e) && from.consumerErrors.has(e));
  if (consumer) return consumer;
  const refusal = failures.find((e) => e instanceof ApplicationFailure);
  if (refusal) return refusal;
  // What is left came from gunzip or the tar parser, fed with authenticated bytes: a malformed archive.
  const first = failures[0];
  return badArchive(`archive unreadable: ${first instanceof Error ? first.message : String(first)}`);
}

/** Hands one entry to the consumer (if any) while hashing it; the entry is always read to its end. */
async function deliver(
  entry: AsyncIterable<Uint8Array>,
  info: EntryInfo,
  digest: { update(chunk: Uint8Array): void },
  consumer: EntryConsumer | undefined,
  consumerErrors: WeakSet<object>,
  onBytes: (n: number) => void,
): Promise<void> {
  const body = consumer ? new PassThrough() : undefined;
  // The failure reaches the caller as the thrown error; a consumer that has already returned is not
  // listening, and an 'error' event nobody listens to would crash the process.
  body?.on('error', () => undefined);
  let settled = false;
  const consumed = consumer?.(info, body!).then(
    () => void (settled = true),
    (err: unknown) => {
      settled = true;
      if (err && typeof err === 'object') consumerErrors.add(err);
      throw err;
    },
  );
  consumed?.catch(() => undefined);
  try {
    for await (const chunk of entry) {
      digest.update(chunk);
      onBytes(chunk.length);
      if (body && !settled && !body.destroyed && !body.write(chunk)) {
        await Promise.race([writable(body), consumed]);
      }
    }
  } catch (err) {
    body?.destroy(err as Error);
    throw err;
  }
  body?.end();
  await consumed;
}

/** Counts an entry's bytes without hashing them. */
class ByteCount {
  bytes = 0;
  update(chunk: Uint8Array): void {
    this.bytes += chunk.length;
  }
}

/** `fetch` over `items` in order, at most `window` ahead of what has been taken. */
function prefetch<T>(items: T[], fetch: (item: T) => Promise<Buffer>, window: number): AsyncIterator<Buffer> {
  const pending: Promise<Buffer>[] = [];
  let next = 0;
  const fill = () => {
    while (next < items.length && pending.length < window) {
      const fetched = fetch(items[next++]!);
      // Awaited in order when taken; this only keeps an early failure from going unhandled.
      fetched.catch(() => undefined);
      pending.push(fetched);
    }
  };
  return {
    async next() {
      fill();
      const head = pending.shift();
      if (!head) return { done: true, value: undefined };
      const value = await head;
      fill();
      return { done: false, value };
    },
  };
}

/** The next `count` values of `source`, as an iterable of their own. */
async function* take(source: AsyncIterator<Buffer>, count: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < count; i += 1) {
    const next = await source.next();
    if (next.done) return;
    yield next.value;
  }
}

function writable(stream: PassThrough): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
  });
}

/** Fails the stream once more than `max` decompressed bytes pass: the backstop against gzip bombs. */
function byteCap(max: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (seen > max) return callback(badArchive(`archive decompresses to more than ${max} bytes`));
      callback(null, chunk);
    },
  });
}

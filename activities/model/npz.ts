// Reads named arrays from a NumPy .npz (a zip of .npy files, stored or deflated) with yauzl.
import { buffer } from 'node:stream/consumers';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { NpyError, parseNpy, type NdArray } from './npy.ts';

export class NpzError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NpzError';
  }
}

export interface NpzOptions {
  /** Refuse any array larger than this uncompressed, so a hostile file cannot exhaust memory. */
  maxArrayBytes?: number;
}

/** Reads exactly the named arrays; a missing or unsupported one throws an NpzError naming it. */
export async function readNpz(
  path: string,
  names: string[],
  options: NpzOptions = {},
): Promise<Record<string, NdArray>> {
  const maxArrayBytes = options.maxArrayBytes ?? 512 * 1024 * 1024;
  let zip: ZipFile;
  try {
    zip = await openZip(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code ? `cannot read it (${code})` : `not an .npz (zip) file: ${(err as Error).message}`;
    throw new NpzError(`${path}: ${why}`);
  }
  const wanted = new Set(names.map((n) => `${n}.npy`));
  const arrays: Record<string, NdArray> = {};
  const present: string[] = [];
  try {
    for await (const entry of entries(zip)) {
      if (entry.fileName.endsWith('.npy')) present.push(entry.fileName.slice(0, -4));
      if (!wanted.has(entry.fileName)) continue;
      const name = entry.fileName.slice(0, -4);
      if (entry.uncompressedSize > maxArrayBytes) {
        throw new NpyError(
          name,
          `is ${entry.uncompressedSize} bytes uncompressed, over the ${maxArrayBytes}-byte limit`,
        );
      }
      arrays[name] = parseNpy(name, await buffer(await openEntry(zip, entry)));
    }
  } catch (err) {
    throw new NpzError(`${path}: ${(err as Error).message}`);
  } finally {
    zip.close();
  }
  const missing = names.filter((n) => !(n in arrays));
  if (missing.length > 0) {
    throw new NpzError(
      `${path}: array '${missing[0]}' is missing (the file holds: ${present.join(', ') || 'no arrays'})`,
    );
  }
  return arrays;
}

function openZip(path: string): Promise<ZipFile> {
  return new Promise((resolve, reject) =>
    yauzl.open(path, { lazyEntries: true, autoClose: false }, (err, zip) => (err ? reject(err) : resolve(zip))),
  );
}

async function* entries(zip: ZipFile): AsyncGenerator<Entry> {
  for (;;) {
    const entry = await new Promise<Entry | undefined>((resolve, reject) => {
      const cleanup = () => zip.off('entry', onEntry).off('end', onEnd).off('error', onError);
      const onEntry = (e: Entry) => (cleanup(), resolve(e));
      const onEnd = () => (cleanup(), resolve(undefined));
      const onError = (err: Error) => (cleanup(), reject(err));
      zip.on('entry', onEntry).on('end', onEnd).on('error', onError);
      zip.readEntry();
    });
    if (!entry) return;
    yield entry;
  }
}

function openEntry(zip: ZipFile, entry: Entry): Promise<NodeJS.ReadableStream> {
  return new Promise((resolve, reject) =>
    zip.openReadStream(entry, (err, stream) => (err ? reject(err) : resolve(stream))),
  );
}

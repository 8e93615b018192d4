// Format v2's pieces without S3: large files leave the tar for content-addressed, sealed pieces that
// a sink stores and a source gives back; names are keyed, and a piece is trusted only if it is the
// one the authenticated manifest lists.
import { createHash, randomBytes } from 'node:crypto';
import { createZstdDecompress } from 'node:zlib';
import tar from 'tar-stream';
import { describe, expect, it } from 'vitest';
import {
  createDecryptStream,
  createSealedArchive,
  earlierBackup,
  MIN_PIECED_FILE_BYTES,
  openPiece,
  PIECE_BYTES,
  pieceName,
  readArchive,
  sealPiece,
  type ArchiveEntry,
  type PieceSink,
  type PieceSource,
} from '../../activities/archive/index.ts';
import { parseManifest } from '../../activities/archive/manifest.ts';
import { LAYOUT_V1, LAYOUT_V2 } from '../../activities/archive/layout.ts';
import type { PieceRef } from '../../types/index.ts';
import { collect, expectBadArchive, testKey, unevenly } from './helpers.ts';

const key = testKey();
const info = {
  namespace: 'pno',
  components: ['models'],
  workflowId: 'wf',
  runId: 'run',
  productVersion: '9.9.9',
  createdAt: '2025-01-02T03:04:05.000Z',
};

/** A store in memory: sealed pieces by name, as the S3 store keeps them. */
function memoryStore() {
  const objects = new Map<string, Buffer>();
  const puts: string[] = [];
  const sink: PieceSink = {
    async put(piece, ref) {
      const name = pieceName(key, ref.sha256, 1);
      puts.push(name);
      if (!objects.has(name)) objects.set(name, await sealPiece(key, piece));
      return name;
    },
    holds: (ref) => objects.has(pieceName(key, ref.sha256, 1)),
    async putAgain(ref) {
      const name = pieceName(key, ref.sha256, 1);
      if (!objects.has(name)) throw new Error('not held');
      puts.push(name);
      return name;
    },
    async flush() {},
  };
  const source: PieceSource = {
    async fetch(ref) {
      const sealed = objects.get(ref.object);
      if (!sealed) throw new Error(`piece ${ref.sha256} missing`);
      return openPiece(key, sealed, ref);
    },
  };
  return { objects, puts, sink, source };
}

const file = (path: string, data: Buffer): ArchiveEntry => ({
  path,
  size: data.length,
  source: unevenly(data, 65_536),
});

async function tarNames(sealed: Buffer): Promise<string[]> {
  const extract = tar.extract();
  unevenly(sealed)
    .pipe(createDecryptStream(key))
    .pipe(createZstdDecompress())
    .pipe(extract as unknown as NodeJS.WritableStream);
  const names: string[] = [];
  for await (const entry of extract) {
    names.push(entry.header.name);
    entry.resume();
  }
  return names;
}

describe('pieces', () => {
  const weights = randomBytes(2 * PIECE_BYTES + 12_345);
  const small = Buffer.from('{"epoch": 12}\n');

  it('stores a large file as pieces outside the tar, once per distinct piece, and reads it back', async () => {
    const store = memoryStore();
    const copy = Buffer.from(weights);
    const archive = createSealedArchive(
      [file('models/a.bin', weights), file('models/meta.json', small), file('models/b.bin', copy)],
      info,
      key,
      { pieces: store.sink },
    );
    const sealed = await collect(archive.stream);
    const manifest = await archive.manifest;
    const a = manifest.entries.find((e) => e.path === 'models/a.bin')!;
    expect(a.pieces!.map((p) => p.size)).toEqual([PIECE_BYTES, PIECE_BYTES, 12_345]);
    expect(manifest.entries.find((e) => e.path === 'models/meta.json')!.pieces).toBeUndefined();
    // Six pieces handed over, three distinct: the copy costs nothing to store.
    expect(store.puts).toHaveLength(6);
    expect(store.objects.size).toBe(3);
    // The tar holds the small file and the manifest only.
    expect(await tarNames(sealed)).toEqual(['models/meta.json', 'manifest.json']);
    // Sealed pieces are no bigger than the random bytes they hold (stored, not compressed).
    for (const object of store.objects.values()) expect(object.length).toBeLessThan(PIECE_BYTES + 1024);

    const received = new Map<string, Buffer>();
    const result = await readArchive(unevenly(sealed), {
      key,
      pieces: store.source,
      piecesInFlight: 2,
      onEntry: async (entry, body) => void received.set(entry.path, await collect(body)),
    });
    expect(result).toMatchObject({ formatVersion: 2, entries: 3, bytes: 2 * weights.length + small.length });
    // Buffer.equals: vitest's deep equality walks 8 MiB byte by byte.
    expect(received.get('models/a.bin')!.equals(weights)).toBe(true);
    expect(received.get('models/b.bin')!.equals(weights)).toBe(true);
    expect(received.get('models/meta.json')).toEqual(small);
  });

  it("names an unchanged file's earlier pieces again without its bytes, and refuses one the earlier backup does not hold", async () => {
    const store = memoryStore();
    const token = 'local:1:2:3:4:5';
    const first = createSealedArchive([{ ...file('models/a.bin', weights), changeToken: token }], info, key, {
      pieces: store.sink,
    });
    await collect(first.stream);
    const earlier = earlierBackup(await first.manifest, store.sink);
    expect(earlier.has('models/a.bin', weights.length, token)).toBe(true);
    expect(earlier.has('models/a.bin', weights.length, 'local:1:2:3:4:6')).toBe(false);
    expect(earlier.has('models/a.bin', weights.length + 1, token)).toBe(false);

    const unchanged = { path: 'models/a.bin', size: weights.length, changeToken: token, unchanged: true as const };
    const second = createSealedArchive([unchanged], info, key, { pieces: store.sink, earlier });
    const sealed = await collect(second.stream);
    const manifest = await second.manifest;
    expect(second.unchanged).toEqual({ files: 1, bytes: weights.length });
    expect(manifest.entries).toEqual((await first.manifest).entries);
    const received = new Map<string, Buffer>();
    await readArchive(unevenly(sealed), {
      key,
      pieces: store.source,
      onEntry: async (entry, body) => void received.set(entry.path, await collect(body)),
    });
    expect(received.get('models/a.bin')!.equals(weights)).toBe(true);

    const stranger = { ...unchanged, path: 'models/other.bin' };
    const refused = createSealedArchive([stranger], info, key, { pieces: store.sink, earlier });
    refused.stream.resume();
    await expect(refused.manifest).rejects.toThrow(/reported unchanged, but the earlier backup does not hold/);
  });

  it('keeps files under the threshold in the tar, and everything when there is no sink', async () => {
    const below = randomBytes(MIN_PIECED_FILE_BYTES - 1);
    const store = memoryStore();
    const archive = createSealedArchive([file('models/below.bin', below)], info, key, { pieces: store.sink });
    expect(await tarNames(await collect(archive.stream))).toEqual(['models/below.bin', 'manifest.json']);
    expect(store.objects.size).toBe(0);
    const plain = createSealedArchive([file('models/a.bin', weights)], info, key);
    expect(await tarNames(await collect(plain.stream))).toEqual(['models/a.bin', 'manifest.json']);
  });

  it('names pieces with a key derived from the backup key: the name is neither the digest nor the same under another key', () => {
    const digest = 'ab'.repeat(32);
    const name = pieceName(key, digest, 7);
    expect(name).toMatch(/^[0-9a-f]{64}$/);
    expect(name).not.toBe(digest);
    expect(pieceName(key, digest, 7)).toBe(name);
    expect(pieceName(key, digest, 8)).not.toBe(name);
    expect(pieceName(testKey(), digest, 7)).not.toBe(name);
  });

  it('opens a piece only if it is the one the manifest lists, sealed with the key', async () => {
    const piece = Buffer.concat([randomBytes(1000), Buffer.alloc(100_000, 7)]);
    const other = randomBytes(1000);
    const ref: PieceRef = {
      object: 'ab'.repeat(32),
      sha256: createHash('sha256').update(piece).digest('hex'),
      size: piece.length,
    };
    const sealed = await sealPiece(key, piece);
    expect(sealed.length).toBeLessThan(piece.length / 10);
    expect(await openPiece(key, sealed, ref)).toEqual(piece);
    const altered = Buffer.from(sealed);
    altered[altered.length - 20]! ^= 1;
    await expectBadArchive(openPiece(key, altered, ref), /failed authentication/);
    await expectBadArchive(openPiece(testKey(), sealed, ref), /sealed with key/);
    // Another piece's object under this piece's name (swapped in the store).
    await expectBadArchive(openPiece(key, await sealPiece(key, other), ref), /does not match the manifest/);
    // A piece object copied over an archive: sealed with the key derived for pieces, so it never reads as one.
    await expectBadArchive(readArchive(unevenly(sealed), { key }), /sealed with key [0-9a-f]{16}; the loaded key is/);
  });

  it('opens a full random piece, whose object is two sealed chunks, only as the manifest lists it', async () => {
    const piece = randomBytes(PIECE_BYTES);
    const ref: PieceRef = {
      object: 'cd'.repeat(32),
      sha256: createHash('sha256').update(piece).digest('hex'),
      size: piece.length,
    };
    const sealed = await sealPiece(key, piece);
    expect(sealed.length).toBeGreaterThan(PIECE_BYTES);
    expect((await openPiece(key, sealed, ref)).equals(piece)).toBe(true);
    const altered = Buffer.from(sealed);
    altered[altered.length - 40]! ^= 1;
    await expectBadArchive(openPiece(key, altered, ref), /failed authentication at chunk 1/);
    await expectBadArchive(openPiece(key, sealed, { ...ref, size: ref.size - 1 }), /does not match the manifest/);
    const otherDigest = createHash('sha256').update('other').digest('hex');
    await expectBadArchive(openPiece(key, sealed, { ...ref, sha256: otherDigest }), /does not match the manifest/);
  });

  it('refuses an archive whose piece is swapped or gone, naming the entry', async () => {
    const store = memoryStore();
    const archive = createSealedArchive([file('models/a.bin', weights)], info, key, { pieces: store.sink });
    const sealed = await collect(archive.stream);
    const manifest = await archive.manifest;
    const [first, second] = manifest.entries[0]!.pieces!;
    const delivered: string[] = [];
    const onEntry = async (entry: { path: string }) => void delivered.push(entry.path);
    store.objects.set(first!.object, store.objects.get(second!.object)!);
    await expectBadArchive(
      readArchive(unevenly(sealed), { key, pieces: store.source, onEntry }),
      /does not match the manifest/,
    );
    store.objects.delete(first!.object);
    await expect(readArchive(unevenly(sealed), { key, pieces: store.source })).rejects.toThrow(/missing/);
    await expect(readArchive(unevenly(sealed), { key })).rejects.toThrow(/no piece source was given/);
    // The manifest alone, without the pieces, is still readable (retention needs only the names).
    await expect(readArchive(unevenly(sealed), { key, pieces: 'skip' })).resolves.toMatchObject({ entries: 0 });
  });

  it('a v2 manifest may list pieces that add up to the entry; a v1 manifest may not list any', () => {
    const entry = (pieces: unknown) => ({ path: 'models/a.bin', size: 10, sha256: 'a'.repeat(64), pieces });
    const manifest = (version: number, pieces: unknown) =>
      Buffer.from(
        JSON.stringify({
          format: 'pno-backup',
          manifestVersion: version,
          ...info,
          totalBytes: 10,
          entries: [entry(pieces)],
        }),
      );
    const ok = [
      { sha256: 'b'.repeat(64), size: 4, object: 'd'.repeat(64) },
      { sha256: 'c'.repeat(64), size: 6, object: 'e'.repeat(64) },
    ];
    expect(parseManifest(manifest(2, ok), LAYOUT_V2).entries[0]!.pieces).toEqual(ok);
    for (const bad of [
      [],
      [{ sha256: 'b'.repeat(64), size: 4, object: 'd'.repeat(64) }],
      [{ sha256: 'x', size: 10, object: 'd'.repeat(64) }],
      [{ sha256: 'b'.repeat(64), size: 10, object: '../../etc/passwd' }],
      [{ sha256: 'b'.repeat(64), size: 10 }],
      [{ sha256: 'b'.repeat(64), size: 0, object: 'd'.repeat(64) }, ...ok],
      'b',
    ])
      expect(() => parseManifest(manifest(2, bad), LAYOUT_V2), JSON.stringify(bad)).toThrow(/entries\[0\]\.pieces/);
    expect(() => parseManifest(manifest(1, ok), LAYOUT_V1)).toThrow(/entries\[0\]\.pieces/);
  });
});

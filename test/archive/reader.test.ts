// The writer and the safe reader together, without S3: what goes in comes out, checked against the
// manifest; hostile archives (sealed with the product's own key and format) are refused by name.
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { createZstdDecompress } from 'node:zlib';
import { ApplicationFailure } from '@temporalio/common';
import tar from 'tar-stream';
import { describe, expect, it } from 'vitest';
import {
  createDecryptStream,
  createEncryptStream,
  createSealedArchive,
  CURRENT_LAYOUT,
  MANIFEST_ENTRY,
  readArchive,
  sealTar,
  type ArchiveEntry,
  type BackupKey,
  type ManifestInfo,
} from '../../activities/archive/index.ts';
import { FailureType, type BackupManifest } from '../../types/index.ts';
import { collect, expectBadArchive, testKey, unevenly } from './helpers.ts';

const key = testKey();
const info: ManifestInfo = {
  namespace: 'pno',
  components: ['resources', 'model'],
  workflowId: 'backup-test',
  runId: 'run-1',
  productVersion: '9.9.9',
  createdAt: '2025-01-02T03:04:05.000Z',
};
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

async function sealEntries(entries: ArchiveEntry[]): Promise<{ sealed: Buffer; manifest: BackupManifest }> {
  const archive = createSealedArchive(entries, info, key, { chunkSize: 4096 });
  const sealed = await collect(archive.stream);
  return { sealed, manifest: await archive.manifest };
}

/** A tar built by hand (so it can hold what our writer refuses), sealed with the product's own key. */
async function sealRawTar(build: (pack: tar.Pack) => void, sealKey: BackupKey = key): Promise<Buffer> {
  const pack = tar.pack();
  build(pack);
  pack.finalize();
  return collect(sealTar(pack as unknown as Readable, sealKey).stream);
}

/** A manifest for `files` as the writer would make it, to append to a hand-built tar. */
function manifestFor(files: Record<string, Buffer>): Buffer {
  const entries = Object.entries(files).map(([path, data]) => ({ path, size: data.length, sha256: sha256(data) }));
  const manifest: BackupManifest = {
    format: 'pno-backup',
    manifestVersion: CURRENT_LAYOUT.manifestVersion,
    ...info,
    createdAt: info.createdAt!,
    entries,
    totalBytes: entries.reduce((s, e) => s + e.size, 0),
  };
  return Buffer.from(JSON.stringify(manifest));
}

const read = (sealed: Buffer, options: Partial<Parameters<typeof readArchive>[1]> = {}) =>
  readArchive(unevenly(sealed, 5000), { key, ...options });

describe('archive writer and safe reader', () => {
  const yaml = Buffer.from('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: pno\n');
  const weights = randomBytes(300_000);

  it('round-trips entries from buffers and streams, with every entry checked against the manifest', async () => {
    const { sealed, manifest } = await sealEntries([
      { path: 'resources/configmaps/pno.yaml', size: yaml.length, source: yaml },
      { path: 'model/weights.bin', size: weights.length, source: unevenly(weights, 10_000) },
      { path: 'model/empty', size: 0, source: Buffer.alloc(0) },
    ]);
    expect(manifest).toMatchObject({
      format: 'pno-backup',
      manifestVersion: 2,
      ...info,
      totalBytes: yaml.length + weights.length,
    });
    expect(manifest.entries).toEqual([
      { path: 'resources/configmaps/pno.yaml', size: yaml.length, sha256: sha256(yaml) },
      { path: 'model/weights.bin', size: weights.length, sha256: sha256(weights) },
      { path: 'model/empty', size: 0, sha256: sha256(Buffer.alloc(0)) },
    ]);

    const received = new Map<string, Buffer>();
    const result = await read(sealed, {
      onEntry: async (entry, body) => void received.set(entry.path, await collect(body)),
    });
    expect(result).toMatchObject({ keyId: key.id, entries: 3, bytes: yaml.length + weights.length });
    expect(result.manifest).toEqual(manifest);
    expect(received.get('resources/configmaps/pno.yaml')).toEqual(yaml);
    expect(received.get('model/weights.bin')).toEqual(weights);
    expect(received.get('model/empty')).toEqual(Buffer.alloc(0));
  });

  it('writes the manifest as the last tar entry', async () => {
    const { sealed, manifest } = await sealEntries([{ path: 'a.yaml', size: yaml.length, source: yaml }]);
    const extract = tar.extract();
    unevenly(sealed)
      .pipe(createDecryptStream(key))
      .pipe(createZstdDecompress())
      .pipe(extract as unknown as NodeJS.WritableStream);
    const names: string[] = [];
    let last: Buffer = Buffer.alloc(0);
    for await (const entry of extract) {
      names.push(entry.header.name);
      last = await collect(entry as AsyncIterable<Uint8Array>);
    }
    expect(names).toEqual(['a.yaml', MANIFEST_ENTRY]);
    expect(JSON.parse(last.toString())).toEqual(manifest);
  });

  it('decrypts to a standard zstd stream of a tar that the system tar lists (hand recovery needs only the key)', async () => {
    const { sealed } = await sealEntries([
      { path: 'resources/configmaps/pno.yaml', size: yaml.length, source: yaml },
      { path: 'model/weights.bin', size: weights.length, source: weights },
    ]);
    const tarBytes = await collect(unevenly(sealed).pipe(createDecryptStream(key)).pipe(createZstdDecompress()));
    const listing = await new Promise<string>((resolve, reject) => {
      const child = execFile('tar', ['-tf', '-'], (err, stdout) => (err ? reject(err) : resolve(stdout)));
      child.stdin!.end(tarBytes);
    });
    expect(listing.trim().split('\n')).toEqual(['resources/configmaps/pno.yaml', 'model/weights.bin', MANIFEST_ENTRY]);
  });

  it('verifies even when a consumer returns without reading', async () => {
    const { sealed } = await sealEntries([{ path: 'model/weights.bin', size: weights.length, source: weights }]);
    const result = await read(sealed, { onEntry: async () => {} });
    expect(result.bytes).toBe(weights.length);
  });

  it('passes a dropped download through unchanged (retryable), not as a bad archive', async () => {
    const { sealed } = await sealEntries([{ path: 'model/weights.bin', size: weights.length, source: weights }]);
    const dropped = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    async function* cut() {
      yield sealed.subarray(0, sealed.length / 2);
      throw dropped;
    }
    await expect(readArchive(cut(), { key })).rejects.toBe(dropped);
  });

  it("passes a consumer's own error through unchanged", async () => {
    const { sealed } = await sealEntries([{ path: 'a.yaml', size: yaml.length, source: yaml }]);
    const failure = new Error('apply failed');
    await expect(read(sealed, { onEntry: async () => Promise.reject(failure) })).rejects.toBe(failure);
  });

  describe('the writer refuses bad input', () => {
    const refused = async (entries: ArchiveEntry[], message: RegExp, type: string = FailureType.invalidInput) => {
      const archive = createSealedArchive(entries, info, key);
      const consumed = collect(archive.stream);
      const err = await archive.manifest.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ApplicationFailure);
      expect((err as ApplicationFailure).type).toBe(type);
      expect((err as Error).message).toMatch(message);
      // The sealed stream fails too: nothing downstream can mistake it for a complete archive.
      await expect(consumed).rejects.toThrow();
    };

    it.each([
      ['../escape', /"..\/escape": ".." segment/],
      ['/etc/passwd', /absolute path/],
      ['a//b', /empty or "." segment/],
      [MANIFEST_ENTRY, /reserved for the manifest/],
    ])('%s', async (path, message) => {
      await refused([{ path, size: 1, source: Buffer.from('x') }], message);
    });

    it('a path listed twice', async () => {
      const entry = () => ({ path: 'a', size: 1, source: Buffer.from('x') });
      await refused([entry(), entry()], /"a": listed twice/);
    });

    it('a source shorter or longer than declared (retryable: the file may have changed)', async () => {
      for (const [declared, message] of [
        [10, /gave 5 bytes, declared 10/],
        [3, /more than the declared 3 bytes/],
      ] as const) {
        const archive = createSealedArchive(
          [{ path: 'log', size: declared, source: Readable.from([Buffer.from('12345')]) }],
          info,
          key,
        );
        const consumed = collect(archive.stream);
        const err = await archive.manifest.catch((e: unknown) => e);
        expect(err).not.toBeInstanceOf(ApplicationFailure);
        expect((err as Error).message).toMatch(message);
        await expect(consumed).rejects.toThrow();
      }
    });
  });

  describe('the reader refuses hostile archives, naming the entry, before handing it to anyone', () => {
    const payload = Buffer.from('pwned\n');
    const refusedBeforeDelivery = async (
      sealed: Buffer,
      message: RegExp,
      limits?: Parameters<typeof readArchive>[1]['limits'],
    ) => {
      const delivered: string[] = [];
      await expectBadArchive(
        read(sealed, { limits, onEntry: async (e, body) => void (delivered.push(e.path), await collect(body)) }),
        message,
      );
      return delivered;
    };

    it.each([
      ['../evil.yaml', /entry "..\/evil.yaml": ".." segment/],
      ['resources/../../etc/cron.d/x', /".." segment/],
      ['/etc/passwd', /entry "\/etc\/passwd": absolute path/],
    ])('a path like %s', async (name, message) => {
      const sealed = await sealRawTar((pack) => {
        pack.entry({ name, size: payload.length }, payload);
        pack.entry({ name: MANIFEST_ENTRY }, manifestFor({ [name]: payload }));
      });
      expect(await refusedBeforeDelivery(sealed, message)).toEqual([]);
    });

    it.each([
      ['symlink', { type: 'symlink', linkname: '/etc/shadow' }],
      ['link', { type: 'link', linkname: 'resources/a.yaml' }],
      ['character-device', { type: 'character-device', devmajor: 1, devminor: 3 }],
      ['block-device', { type: 'block-device', devmajor: 8, devminor: 0 }],
      ['fifo', { type: 'fifo' }],
      ['directory', { type: 'directory' }],
    ] as const)('a %s entry', async (type, header) => {
      const sealed = await sealRawTar((pack) => {
        pack.entry({ name: 'resources/a.yaml', size: payload.length }, payload);
        pack.entry({ name: 'resources/special', ...header });
      });
      const delivered = await refusedBeforeDelivery(
        sealed,
        new RegExp(`entry "resources/special": ${type} entries are not allowed`),
      );
      expect(delivered).toEqual(['resources/a.yaml']);
    });

    it('an entry past the per-entry size limit (a decompression bomb), without reading it', async () => {
      const zeros = Buffer.alloc(20 * 1024 * 1024);
      const sealed = await sealRawTar((pack) => void pack.entry({ name: 'model/bomb.bin', size: zeros.length }, zeros));
      expect(sealed.length).toBeLessThan(200_000);
      expect(
        await refusedBeforeDelivery(
          sealed,
          /entry "model\/bomb.bin": 20971520 bytes exceeds the per-entry limit of 1048576/,
          { maxEntryBytes: 1024 * 1024 },
        ),
      ).toEqual([]);
    });

    it('entries past the total size limit or the entry count limit', async () => {
      const kib = Buffer.alloc(1024, 1);
      const sealed = await sealRawTar((pack) => {
        for (const name of ['a', 'b', 'c']) pack.entry({ name, size: kib.length }, kib);
      });
      await refusedBeforeDelivery(sealed, /entry "c": the archive exceeds the total limit of 2500 bytes/, {
        maxTotalBytes: 2500,
      });
      await refusedBeforeDelivery(sealed, /entry "c": more than 2 entries/, { maxEntries: 2 });
    });

    it('a duplicated entry, and an entry after the manifest', async () => {
      const twice = await sealRawTar((pack) => {
        pack.entry({ name: 'a' }, payload);
        pack.entry({ name: 'a' }, payload);
      });
      await refusedBeforeDelivery(twice, /entry "a": appears twice/);
      const after = await sealRawTar((pack) => {
        pack.entry({ name: 'a' }, payload);
        pack.entry({ name: MANIFEST_ENTRY }, manifestFor({ a: payload }));
        pack.entry({ name: 'b' }, payload);
      });
      await refusedBeforeDelivery(after, /entry "b": found after manifest.json/);
    });

    it('a manifest that does not match the entries', async () => {
      const other = Buffer.from('other\n');
      const cases: [Record<string, Buffer>, Record<string, Buffer>, RegExp][] = [
        [{ a: payload }, { a: other }, /entry a: SHA-256 does not match manifest.json/],
        [{ a: payload }, { a: Buffer.from('a longer payload') }, /entry a: 6 bytes, manifest.json says 16/],
        [{ a: payload, b: payload }, { a: payload }, /entry b: not listed in manifest.json/],
        [
          { a: payload },
          { a: payload, gone: payload },
          /entry gone: listed in manifest.json but missing from the archive/,
        ],
      ];
      for (const [files, listed, message] of cases) {
        const sealed = await sealRawTar((pack) => {
          for (const [name, data] of Object.entries(files)) pack.entry({ name }, data);
          pack.entry({ name: MANIFEST_ENTRY }, manifestFor(listed));
        });
        await expectBadArchive(read(sealed), message);
      }
    });

    it('an archive without a manifest, or with one that is not ours', async () => {
      await expectBadArchive(
        read(await sealRawTar((pack) => void pack.entry({ name: 'a' }, payload))),
        /no manifest.json/,
      );
      const bad = await sealRawTar(
        (pack) => void pack.entry({ name: MANIFEST_ENTRY }, Buffer.from('{"format":"other"}')),
      );
      await expectBadArchive(read(bad), /manifest.json: missing or invalid format/);
    });

    it('authentic bytes that are not a compressed tar', async () => {
      const sealed = await collect(sealTar(Readable.from([randomBytes(5000)]), key, { zstdLevel: 1 }).stream);
      // Valid zstd of random bytes: the tar parser refuses it.
      await expectBadArchive(read(sealed), /archive unreadable: Invalid tar header/);
      // Sealed without compression: the zstd decoder refuses it.
      const plain = await collect(Readable.from([randomBytes(5000)]).pipe(createEncryptStream(key)));
      await expectBadArchive(read(plain), /archive unreadable: .*(unknown|prefix|magic)/i);
    });
  });
});

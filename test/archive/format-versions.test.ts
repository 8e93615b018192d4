// The reader dispatches on the format version in the archive's prelude: v1 and v2 are read, any other
// version is refused by name (with the versions this reader can read) before a byte is decrypted.
import { describe, expect, it } from 'vitest';
import {
  createSealedArchive,
  formatLabel,
  formatReaderFor,
  FORMAT_VERSION,
  LAYOUT_V1,
  LAYOUT_V2,
  READABLE_FORMAT_VERSIONS,
  readArchive,
  versionOfLabel,
  type ArchiveEntry,
  type EntryInfo,
} from '../../activities/archive/index.ts';
import { MAGIC } from '../../activities/archive/format.ts';
import { collect, expectBadArchive, testKey, unevenly } from './helpers.ts';

const key = testKey();
const info = {
  namespace: 'pno',
  components: ['resources'],
  workflowId: 'wf',
  runId: 'run',
  productVersion: '9.9.9',
  createdAt: '2025-01-02T03:04:05.000Z',
};
const file = (path: string, text = path): ArchiveEntry => ({
  path,
  size: Buffer.byteLength(text),
  source: Buffer.from(text),
});

async function sealed(entries: ArchiveEntry[]): Promise<Buffer> {
  return collect(createSealedArchive(entries, info, key, { chunkSize: 1024 }).stream);
}

function withVersion(archive: Buffer, version: number): Buffer {
  const copy = Buffer.from(archive);
  copy[MAGIC.length] = version;
  return copy;
}

/** A source that records whether the reader closed it. */
function tracked(data: Buffer) {
  const state = { closed: false, pulled: 0 };
  async function* source() {
    try {
      for (let at = 0; at < data.length; at += 4) {
        state.pulled += 1;
        yield data.subarray(at, at + 4);
      }
    } finally {
      state.closed = true;
    }
  }
  return { state, source: source() };
}

describe('format versions', () => {
  it('this release reads v1 and v2, and writes v2', () => {
    expect(READABLE_FORMAT_VERSIONS).toEqual([1, 2]);
    expect(formatReaderFor(1).layout).toBe(LAYOUT_V1);
    expect(formatReaderFor(2).layout).toBe(LAYOUT_V2);
    expect(FORMAT_VERSION).toBe(2);
    expect(formatLabel(1)).toBe('pno-backup-v1');
    expect(formatLabel(2)).toBe('pno-backup-v2');
    expect(versionOfLabel('pno-backup-v1')).toBe(1);
    expect(versionOfLabel('pno-backup-v12')).toBe(12);
    for (const label of [
      'pno-backup',
      'pno-backup-v',
      'pno-backup-v0',
      'pno-backup-v01',
      'other-v1',
      'pno-backup-v1 ',
    ]) {
      expect(versionOfLabel(label), label).toBeUndefined();
    }
  });

  it('reads a v2 archive and reports its version (the committed v1 object: v1-fixture.test.ts)', async () => {
    const result = await readArchive(unevenly(await sealed([file('resources/ConfigMap/a.yaml')])), { key });
    expect(result).toMatchObject({ formatVersion: 2, entries: 1 });
  });

  it('a v2 archive relabelled v1 fails authentication: the version byte is sealed into every chunk', async () => {
    const archive = withVersion(await sealed([file('resources/ConfigMap/a.yaml')]), 1);
    await expectBadArchive(readArchive(unevenly(archive), { key }), /failed authentication at chunk 0/);
  });

  it('refuses a newer version by number, naming the versions it reads, and closes the source', async () => {
    const archive = withVersion(await sealed([file('resources/ConfigMap/a.yaml')]), 3);
    const { state, source } = tracked(archive);
    const delivered: string[] = [];
    await expectBadArchive(
      readArchive(source, { key, onEntry: async (entry) => void delivered.push(entry.path) }),
      /^archive: format version 3 cannot be read; this reader reads format v1, v2 \(a newer release may have written it\)$/,
    );
    expect(delivered).toEqual([]);
    // Refused from the prelude alone: only the first pieces were pulled, then the source was closed.
    expect(state.pulled).toBeLessThan(archive.length / 4);
    expect(state.closed).toBe(true);
  });

  it('refuses version 0 (never written) without calling it newer', async () => {
    const archive = withVersion(await sealed([file('a')]), 0);
    await expectBadArchive(
      readArchive(unevenly(archive), { key }),
      /^archive: format version 0 cannot be read; this reader reads format v1, v2$/,
    );
  });

  it('refuses a stream shorter than the prelude, or with a foreign magic, before choosing a reader', async () => {
    const archive = await sealed([file('a')]);
    await expectBadArchive(
      readArchive(unevenly(archive.subarray(0, MAGIC.length), 3), { key }),
      /truncated: 8 bytes, shorter than its header/,
    );
    const foreign = Buffer.from(archive);
    foreign[0] = 0x1f;
    await expectBadArchive(readArchive(unevenly(foreign), { key }), /not a PNO encrypted archive \(bad magic\)/);
  });
});

describe('layout v1', () => {
  it('names every entry as v1 writes it', () => {
    expect(LAYOUT_V1.manifestEntry).toBe('manifest.json');
    expect(LAYOUT_V1.databaseDump).toBe('database/dump.sql');
    expect(LAYOUT_V1.objectPath('resources', 'Deployment', 'pno-physics-bench')).toBe(
      'resources/Deployment/pno-physics-bench.yaml',
    );
    expect(LAYOUT_V1.objectPath('cluster', 'PersistentVolume', 'pv-1')).toBe('cluster/PersistentVolume/pv-1.yaml');
    expect(LAYOUT_V1.objectPath('monitoring', 'ConfigMap', 'alert-rules')).toBe(
      'monitoring/ConfigMap/alert-rules.yaml',
    );
    expect(LAYOUT_V1.modelPath('checkpoints/epoch-12.bin')).toBe('models/checkpoints/epoch-12.bin');
  });

  it('places what it names, and nothing else', () => {
    expect(LAYOUT_V1.locate('resources/Secret/pno-secrets.yaml')).toEqual({
      section: 'resources',
      relative: 'Secret/pno-secrets.yaml',
    });
    expect(LAYOUT_V1.locate('cluster/PersistentVolume/pv-1.yaml')).toEqual({
      section: 'cluster',
      relative: 'PersistentVolume/pv-1.yaml',
    });
    expect(LAYOUT_V1.locate('monitoring/ConfigMap/alert-rules.yaml')).toEqual({
      section: 'monitoring',
      relative: 'ConfigMap/alert-rules.yaml',
    });
    expect(LAYOUT_V1.locate('models/pno_model.onnx')).toEqual({ section: 'models', relative: 'pno_model.onnx' });
    expect(LAYOUT_V1.locate('models/sub/notes.yaml')).toEqual({ section: 'models', relative: 'sub/notes.yaml' });
    expect(LAYOUT_V1.locate('database/dump.sql')).toEqual({ section: 'database', relative: 'dump.sql' });
    for (const path of [
      'manifest.json',
      'resources/README.txt',
      'database/other.sql',
      'model/weights.bin',
      'resources.yaml',
      'models',
    ]) {
      expect(LAYOUT_V1.locate(path), path).toBeUndefined();
    }
  });

  it('hands each entry to a consumer with its place', async () => {
    const paths = [
      'resources/ConfigMap/a.yaml',
      'cluster/PersistentVolume/pv.yaml',
      'monitoring/ConfigMap/m.yaml',
      'models/x/w.bin',
      'database/dump.sql',
      'extra.txt',
    ];
    const seen: EntryInfo[] = [];
    await readArchive(unevenly(await sealed(paths.map((p) => file(p)))), {
      key,
      onEntry: async (entry) => void seen.push(entry),
    });
    expect(seen.map((e) => [e.path, e.place?.section, e.place?.relative])).toEqual([
      ['resources/ConfigMap/a.yaml', 'resources', 'ConfigMap/a.yaml'],
      ['cluster/PersistentVolume/pv.yaml', 'cluster', 'PersistentVolume/pv.yaml'],
      ['monitoring/ConfigMap/m.yaml', 'monitoring', 'ConfigMap/m.yaml'],
      ['models/x/w.bin', 'models', 'x/w.bin'],
      ['database/dump.sql', 'database', 'dump.sql'],
      ['extra.txt', undefined, undefined],
    ]);
  });
});

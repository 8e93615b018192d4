// The committed format-v1 backup, read through the real reader: authenticated, checked against its
// manifest, every entry placed and byte-exact. If this fails, backups already stored would no longer
// restore: fix the reader, never the fixture.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { readArchive, type EntryPlace } from '../../activities/archive/index.ts';
import { fromYaml } from '../../activities/kubernetes/resources.ts';
import { collect, expectBadArchive, unevenly } from './helpers.ts';
import { loadV1Fixture, V1_KEY_ID, V1_MANIFEST, V1_OBJECT_BYTES, V1_PLACES } from './v1-fixture.ts';

const { sealed, key } = loadV1Fixture();
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe('the committed format-v1 backup', () => {
  it('is a v1 sealed archive: magic, version 1, 1 KiB chunks, the fixture key', () => {
    expect(key.id).toBe(V1_KEY_ID);
    expect(sealed.length).toBe(V1_OBJECT_BYTES);
    expect(sealed.subarray(0, 8).toString('latin1')).toBe('PNOBAK\0\x01');
    expect(sealed.readUInt8(8)).toBe(1);
    expect(sealed.readUInt32BE(9)).toBe(1024);
    expect(sealed.subarray(13, 21).toString('hex')).toBe(V1_KEY_ID);
  });

  it('reads back exactly: manifest, places, and every byte of every entry', async () => {
    const received: [string, EntryPlace | undefined, string][] = [];
    const text = new Map<string, string>();
    const result = await readArchive(unevenly(sealed, 1000), {
      key,
      onEntry: async (entry, body) => {
        const data = await collect(body);
        received.push([entry.path, entry.place, sha256(data)]);
        text.set(entry.path, data.toString('utf8'));
      },
    });

    expect(result).toEqual({ keyId: V1_KEY_ID, formatVersion: 1, manifest: V1_MANIFEST, entries: 10, bytes: 4722 });
    expect(received).toEqual(V1_PLACES.map(([path, place], i) => [path, place, V1_MANIFEST.entries[i]!.sha256]));

    // What the bytes mean, as a restore reads them.
    const objects = [...text].filter(([path]) => path.endsWith('.yaml')).flatMap(([, yaml]) => fromYaml(yaml));
    expect(objects.map((o) => `${o.kind}/${o.metadata?.namespace ?? '-'}/${o.metadata?.name}`)).toEqual([
      'ConfigMap/production/pno-config',
      'Secret/production/pno-secrets',
      'Service/production/pno-physics-bench',
      'Deployment/production/pno-physics-bench',
      'PersistentVolume/-/pno-models-production',
      'ConfigMap/monitoring/monitoring-config',
    ]);
    expect(objects[0]!.data).toEqual({ LOG_LEVEL: 'INFO', MAX_BATCH_SIZE: '32' });
    expect(Buffer.from((objects[1]!.data as Record<string, string>)['api-token']!, 'base64').toString()).toBe(
      'fixture-token-not-a-secret',
    );
    expect(JSON.parse(text.get('models/config.json')!)).toEqual({ modes: 16, width: 32, in_channels: 3 });
    expect(text.get('database/dump.sql')!.split('\n')[0]).toBe('-- PostgreSQL database dump (fixture)');
  });

  it('is refused if any region of it is changed: version, nonce, a middle chunk, the last tag', async () => {
    for (const [at, message] of [
      [8, /format version 0 cannot be read/],
      [25, /authentication at chunk 0/],
      [Math.floor(sealed.length / 2), /authentication at chunk \d+ \(tampered or reordered\)/],
      [sealed.length - 1, /authentication at chunk 5 \(tampered, truncated or extended\)/],
    ] as const) {
      const changed = Buffer.from(sealed);
      changed[at]! ^= 0x01;
      await expectBadArchive(readArchive(unevenly(changed, 1000), { key }), message);
    }
  });
});

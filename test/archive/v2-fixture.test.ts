// The committed format-v2 backup (test/fixtures/archive/backup-v2.enc and its piece in pieces-v2/),
// read through the real reader: the same files as the v1 fixture plus a model file stored as a piece.
// If this fails, v2 backups already stored would no longer restore: fix the reader, never the fixture.
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openPiece, pieceName, readArchive, type PieceSource } from '../../activities/archive/index.ts';
import { pieceEpoch } from '../../activities/storage/pieces.ts';
import { collect, expectBadArchive, unevenly } from './helpers.ts';
import { loadV1Fixture, V1_KEY_ID, V1_MANIFEST } from './v1-fixture.ts';

const fixture = (name: string) => new URL(`../fixtures/archive/${name}`, import.meta.url);
const { key } = loadV1Fixture();
const sealed = readFileSync(fixture('backup-v2.enc'));
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

const LARGE = {
  path: 'models/spectral_weights.txt',
  size: 1310720,
  sha256: '35e90ba4fd931aa57605f9f13b07d3fc006023409624f085aef65617f2995d20',
  pieces: [
    {
      sha256: '35e90ba4fd931aa57605f9f13b07d3fc006023409624f085aef65617f2995d20',
      size: 1310720,
      object: 'c416bb170eeae2c7a46fef3e27a81c376bc8536242ba632681b5227cf47f4957',
    },
  ],
};
/** The epoch of 2026-01-01T00:00:00Z, the fixture's time: 3.5-day epochs since 1970. */
const EPOCH = 5844;

function pieces(change?: (bytes: Buffer) => void): PieceSource {
  return {
    async fetch(ref) {
      const bytes = readFileSync(fixture(`pieces-v2/${ref.object}`));
      change?.(bytes);
      return openPiece(key, bytes, ref);
    },
  };
}

describe('the committed format-v2 backup', () => {
  it('is a v2 sealed archive with one piece, named by the keyed hash of its digest and epoch', () => {
    expect(sealed.subarray(0, 8).toString('latin1')).toBe('PNOBAK\0\x01');
    expect(sealed.readUInt8(8)).toBe(2);
    expect(sealed.readUInt32BE(9)).toBe(1024);
    expect(sealed.subarray(13, 21).toString('hex')).toBe(V1_KEY_ID);
    expect(pieceEpoch(new Date('2026-01-01T00:00:00.000Z'))).toBe(EPOCH);
    expect(pieceName(key, LARGE.pieces[0]!.sha256, EPOCH)).toBe(LARGE.pieces[0]!.object);
  });

  it('reads back exactly: the v1 fixture files in the tar, the model file from its piece', async () => {
    const received = new Map<string, string>();
    const result = await readArchive(unevenly(sealed, 1000), {
      key,
      pieces: pieces(),
      onEntry: async (entry, body) => void received.set(entry.path, sha256(await collect(body))),
    });
    expect(result).toMatchObject({ keyId: V1_KEY_ID, formatVersion: 2, entries: 11, bytes: 1315442 });
    expect(result.manifest).toMatchObject({
      format: 'pno-backup',
      manifestVersion: 2,
      workflowId: 'backup-fixture-v2',
      totalBytes: 1315442,
    });
    // The same files as the v1 fixture, byte for byte, and the pieced one after the other models.
    const dump = V1_MANIFEST.entries.at(-1)!;
    expect(dump.path).toBe('database/dump.sql');
    expect(result.manifest.entries).toEqual([...V1_MANIFEST.entries.slice(0, -1), LARGE, dump]);
    for (const entry of result.manifest.entries) expect(received.get(entry.path), entry.path).toBe(entry.sha256);
  });

  it('is refused if its piece is changed', async () => {
    await expectBadArchive(
      readArchive(unevenly(sealed, 1000), { key, pieces: pieces((bytes) => (bytes[bytes.length - 17]! ^= 1)) }),
      /failed authentication/,
    );
  });
});

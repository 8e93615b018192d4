// docs/backup-format.md, followed step by step with nothing of the product's but the committed
// fixtures: read the header, check the key id, open each chunk with its nonce and associated data,
// decompress (v2: zstd, v1: gunzip), untar, put the large files together from their pieces (v2),
// and check every entry against manifest.json. The result must be exactly what
// `pno backup decrypt` writes, so the document and the command cannot drift apart.
import { execFile } from 'node:child_process';
import { createDecipheriv, createHash, createHmac, hkdfSync } from 'node:crypto';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gunzipSync, zstdDecompressSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decryptBackupFile } from '../../cli/backup-decrypt.ts';

const fixture = fileURLToPath(new URL('../fixtures/archive/backup-v1.tar.gz.enc', import.meta.url));
const fixtureV2 = fileURLToPath(new URL('../fixtures/archive/backup-v2.enc', import.meta.url));
const piecesV2 = fileURLToPath(new URL('../fixtures/archive/pieces-v2', import.meta.url));
const keyFile = fileURLToPath(new URL('../fixtures/archive/test-only-key.not-secret.b64', import.meta.url));
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** The document's steps, in order. */
function openAsDocumented(object: Buffer, key: Buffer, version = 1): Buffer {
  // The header: magic, version, chunkSize, keyId, baseNonce (33 bytes).
  expect(object.subarray(0, 8).toString('hex')).toBe('504e4f42414b0001');
  expect(object[8]).toBe(version);
  const header = object.subarray(0, 33);
  const chunkSize = header.readUInt32BE(9);
  expect(chunkSize).toBeGreaterThanOrEqual(1024);
  // The key id: the first 8 bytes of the key's SHA-256.
  expect(header.subarray(13, 21).toString('hex')).toBe(sha256(key).slice(0, 16));
  const baseNonce = header.subarray(21, 33);

  const body = object.subarray(33);
  const pieces: Buffer[] = [];
  for (let at = 0; at < body.length; at += chunkSize + 16) pieces.push(body.subarray(at, at + chunkSize + 16));
  return Buffer.concat(
    pieces.map((piece, i) => {
      const nonce = Buffer.from(baseNonce);
      nonce.writeBigUInt64BE(nonce.readBigUInt64BE(4) ^ BigInt(i), 4);
      const index = Buffer.alloc(8);
      index.writeBigUInt64BE(BigInt(i));
      const final = Buffer.from([i === pieces.length - 1 ? 1 : 0]);
      const decipher = createDecipheriv('aes-256-gcm', key, nonce);
      decipher.setAAD(Buffer.concat([header, index, final]));
      decipher.setAuthTag(piece.subarray(piece.length - 16));
      return Buffer.concat([decipher.update(piece.subarray(0, piece.length - 16)), decipher.final()]);
    }),
  );
}

describe('docs/backup-format.md', () => {
  it('opens the committed v1 object by its steps alone, to the bytes `pno backup decrypt` writes', async () => {
    const key = Buffer.from((await readFile(keyFile, 'utf8')).trim(), 'base64');
    expect(key.length).toBe(32);
    const plain = openAsDocumented(await readFile(fixture), key);

    const dir = await mkdtemp(join(tmpdir(), 'pno-format-doc-'));
    const out = join(dir, 'by-the-command.tar.gz');
    await decryptBackupFile(fixture, [keyFile], out);
    expect(Buffer.compare(plain, await readFile(out))).toBe(0);

    // One gzip member holding a tar whose last entry is the manifest; every entry matches it.
    const tarFile = join(dir, 'backup.tar');
    await writeFile(tarFile, gunzipSync(plain));
    const names = (await promisify(execFile)('tar', ['-tf', tarFile], { encoding: 'utf8' })).stdout.trim().split('\n');
    expect(names.at(-1)).toBe('manifest.json');
    await promisify(execFile)('tar', ['-xf', tarFile, '-C', dir]);
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as {
      format: string;
      manifestVersion: number;
      entries: { path: string; size: number; sha256: string }[];
    };
    expect(manifest).toMatchObject({ format: 'pno-backup', manifestVersion: 1 });
    expect(manifest.entries.map((e) => e.path).sort()).toEqual(names.slice(0, -1).sort());
    for (const entry of manifest.entries) {
      const bytes = await readFile(join(dir, entry.path));
      expect({ path: entry.path, size: bytes.length, sha256: sha256(bytes) }).toEqual(entry);
    }
  });

  it('opens the committed v2 object and its piece by the steps alone, to the files `pno backup decrypt --pieces` writes', async () => {
    const key = Buffer.from((await readFile(keyFile, 'utf8')).trim(), 'base64');
    const dir = await mkdtemp(join(tmpdir(), 'pno-format-doc-'));
    // The archive: sealed as v1 is, its plaintext a zstd stream of a tar.
    const tarFile = join(dir, 'small.tar');
    await writeFile(tarFile, zstdDecompressSync(openAsDocumented(await readFile(fixtureV2), key, 2)));
    const byHand = join(dir, 'by-hand');
    await mkdir(byHand);
    await promisify(execFile)('tar', ['-xf', tarFile, '-C', byHand]);
    const manifest = JSON.parse(await readFile(join(byHand, 'manifest.json'), 'utf8')) as {
      manifestVersion: number;
      entries: {
        path: string;
        size: number;
        sha256: string;
        pieces?: { sha256: string; size: number; object: string }[];
      }[];
    };
    expect(manifest.manifestVersion).toBe(2);
    // Each piece: its object, named in the manifest, sealed like the archive but with the piece
    // key (HKDF of the backup key), one zstd frame inside; and its name, the keyed hash of its digest
    // and epoch (the 3.5-day epoch of the backup's time).
    const derive = (info: string) => Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), info, 32));
    const pieceKey = derive('pno-backup v2 piece sealing');
    const epoch = Buffer.alloc(8);
    epoch.writeBigUInt64BE(BigInt(Math.floor(Date.parse('2026-01-01T00:00:00.000Z') / (84 * 3600 * 1000))));
    const pieced = manifest.entries.filter((e) => e.pieces);
    expect(pieced.map((e) => e.path)).toEqual(['models/spectral_weights.txt']);
    for (const entry of pieced) {
      const parts = await Promise.all(
        entry.pieces!.map(async (piece) => {
          const name = createHmac('sha256', derive('pno-backup v2 piece names'))
            .update(Buffer.concat([Buffer.from(piece.sha256, 'hex'), epoch]))
            .digest('hex');
          expect(name).toBe(piece.object);
          const sealed = await readFile(join(piecesV2, piece.object));
          const plain = zstdDecompressSync(openAsDocumented(sealed, pieceKey, 2));
          expect({ sha256: sha256(plain), size: plain.length, object: name }).toEqual(piece);
          return plain;
        }),
      );
      await writeFile(join(byHand, entry.path), Buffer.concat(parts));
    }
    // Every entry now matches the manifest, and is what the command writes.
    const byCommand = join(dir, 'by-the-command.tar');
    const done = await decryptBackupFile(fixtureV2, [keyFile], byCommand, piecesV2);
    expect(done).toMatchObject({ version: 2, kind: 'tar' });
    const extracted = join(dir, 'by-command');
    await mkdir(extracted);
    await promisify(execFile)('tar', ['-xf', byCommand, '-C', extracted]);
    for (const entry of manifest.entries) {
      const bytes = await readFile(join(byHand, entry.path));
      expect({ path: entry.path, size: bytes.length, sha256: sha256(bytes) }).toMatchObject({
        path: entry.path,
        size: entry.size,
        sha256: entry.sha256,
      });
      expect(Buffer.compare(bytes, await readFile(join(extracted, entry.path))), entry.path).toBe(0);
    }
  });
});

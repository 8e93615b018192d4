// The gzip stage: random-looking chunks are stored, the rest compressed, and the result is a plain
// gzip stream that the system's gzip reads back byte for byte.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createAdaptiveGzip } from '../../activities/archive/adaptive-gzip.ts';
import { byteEntropy } from '../../activities/archive/entropy.ts';
import { collect, unevenly } from './helpers.ts';

const text = (bytes: number) =>
  Buffer.from(
    'kind: ConfigMap\nmetadata:\n  name: pno-config\ndata:\n  threshold: "0.85"\n'.repeat(Math.ceil(bytes / 70)),
  ).subarray(0, bytes);

/** Runs the system gzip on `data` with an argument array (no shell) and returns what it printed. */
function systemGunzip(data: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = execFile('gzip', ['-dc'], { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 }, (err, stdout) =>
      err ? reject(err) : resolve(stdout),
    );
    child.stdin!.end(data);
  });
}

describe('adaptive gzip', () => {
  it('measures byte entropy: 0 for one repeated byte, near 8 for random bytes', () => {
    expect(byteEntropy(Buffer.alloc(8192, 7))).toBe(0);
    expect(byteEntropy(randomBytes(8192))).toBeGreaterThan(7.95);
    expect(byteEntropy(text(8192))).toBeLessThan(5);
  });

  it('stores random chunks, compresses the rest, and stays a gzip stream the system gzip reads', async () => {
    const random = randomBytes(2 * 1024 * 1024);
    const mixed = Buffer.concat([text(1024 * 1024), random, text(1024 * 1024)]);
    const gz = await collect(unevenly(mixed, 64 * 1024).pipe(createAdaptiveGzip(6)));
    // Random bytes cannot shrink; text shrinks a lot: the sum says both paths ran.
    expect(gz.length).toBeGreaterThan(random.length);
    expect(gz.length).toBeLessThan(random.length + 200_000);
    expect(gunzipSync(gz)).toEqual(mixed);
    expect(await systemGunzip(gz)).toEqual(mixed);
  });

  it('really switches to stored blocks: a repeated random block (its blind spot) is left uncompressed', async () => {
    // Every 8 KiB sample of this looks random, though deflate at level 6 would shrink it ~100-fold.
    const block = randomBytes(8192);
    const repeated = Buffer.concat(Array.from({ length: 256 }, () => block));
    expect(gzipSync(repeated, { level: 6 }).length).toBeLessThan(repeated.length / 50);
    const gz = await collect(unevenly(repeated, 64 * 1024).pipe(createAdaptiveGzip(6)));
    expect(gz.length).toBeGreaterThan(repeated.length);
    expect(gunzipSync(gz)).toEqual(repeated);
  });

  it('compresses like plain gzip when nothing is random, and handles empty input', async () => {
    const data = text(3 * 1024 * 1024);
    const gz = await collect(unevenly(data, 64 * 1024).pipe(createAdaptiveGzip(6)));
    expect(gz.length).toBeLessThan(data.length / 50);
    expect(await systemGunzip(gz)).toEqual(data);
    expect(gunzipSync(await collect(unevenly(Buffer.alloc(0)).pipe(createAdaptiveGzip(6))))).toEqual(Buffer.alloc(0));
  });
});

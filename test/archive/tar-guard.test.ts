// The tar framing guard in front of the tar parser: real archives pass byte for byte; a header
// extension over the cap, a NaN or non-octal size are refused before the parser buffers anything.
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { tarGuard } from '../../activities/archive/tar-guard.ts';
import { collect, paxHeader, unevenly, ustarHeader } from './helpers.ts';

async function guarded(bytes: Buffer, cap?: number): Promise<Buffer> {
  const out: Buffer[] = [];
  await pipeline(unevenly(bytes, 333), tarGuard(cap), async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) out.push(chunk);
  });
  return Buffer.concat(out);
}

async function packOf(entries: { name: string; body: Buffer }[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const { name, body } of entries) pack.entry({ name, size: body.length }, body);
  pack.finalize();
  return collect(pack as unknown as Readable);
}

const end = Buffer.alloc(1024);

describe('tarGuard', () => {
  it('passes real archives through unchanged, long (pax) names and odd sizes included', async () => {
    const bytes = await packOf([
      { name: 'resources/ConfigMap/a.yaml', body: Buffer.from('kind: ConfigMap\n') },
      { name: `models/${'deep/'.repeat(60)}weights.bin`, body: Buffer.alloc(70_001, 7) },
      { name: 'manifest.json', body: Buffer.from('{}') },
    ]);
    await expect(guarded(bytes)).resolves.toEqual(bytes);
  });

  it('follows a pax size that overrides the header size', async () => {
    const body = Buffer.alloc(1500, 1);
    const bytes = Buffer.concat([
      paxHeader({ size: String(body.length) }),
      ustarHeader('models/big.bin', 0),
      body,
      Buffer.alloc(548),
      ustarHeader('manifest.json', 2),
      Buffer.from('{}'),
      Buffer.alloc(510),
      end,
    ]);
    await expect(guarded(bytes)).resolves.toEqual(bytes);
  });

  it.each([
    [
      'a header extension over the cap',
      () => paxHeader({ path: 'a'.repeat(5000) }),
      /5\d{3}-byte header extension exceeds the 4096-byte limit/,
    ],
    ['a pax size that is not a number', () => paxHeader({ size: 'abc' }), /pax size "abc" is not a whole number/],
    [
      'a pax size beyond safe integers',
      () => paxHeader({ size: '99999999999999999999' }),
      /pax size "9+" is not a whole number/,
    ],
    [
      'a header size that is not octal',
      () => ustarHeader('models/x', '12345678z\0'),
      /tar size "12345678z" is not an octal number/,
    ],
    [
      'a base-256 header size',
      () => ustarHeader('models/x', `\x80${'\0'.repeat(10)}\x01`),
      /base-256 tar size is not accepted/,
    ],
  ])('refuses %s', async (_what, make, reason) => {
    const bytes = Buffer.concat([make(), ustarHeader('models/x', 0), end]);
    await expect(guarded(bytes, 4096)).rejects.toMatchObject({
      type: 'BadArchive',
      message: expect.stringMatching(reason),
    });
  });
});

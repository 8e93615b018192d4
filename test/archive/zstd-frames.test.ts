// Format v2's raw zstd frames, read without the codec: what rawZstdFrame writes, rawFrameContent
// reads back from any split of its bytes; every other frame is left to zstd's own decoder.
import { randomBytes } from 'node:crypto';
import { zstdDecompressSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { compressFrame, rawFrameContent, rawZstdFrame } from '../../activities/archive/zstd-frames.ts';

/** `frame` cut at `cuts` (offsets), as the sealed chunks of a piece object hand it over. */
const split = (frame: Buffer, cuts: number[]): Buffer[] =>
  [0, ...cuts, frame.length].slice(1).map((end, i, ends) => frame.subarray(i === 0 ? 0 : ends[i - 1], end));

describe('raw zstd frames', () => {
  const data = randomBytes(4 * 1024 * 1024);
  const frame = rawZstdFrame(data);

  it("reads a raw frame's content from its bytes in parts, as zstd itself does", () => {
    // Buffer.equals, not toEqual: a deep compare of 4 MiB takes seconds.
    expect(zstdDecompressSync(frame).equals(data)).toBe(true);
    // Whole; cut inside a block's body (where a 4 MiB chunk boundary falls); inside a block header;
    // inside the frame header; with an empty part.
    for (const cuts of [[], [4 * 1024 * 1024], [6 + 131_075 + 1], [3, 3, 9]]) {
      expect(rawFrameContent(split(frame, cuts), data.length)?.equals(data), `cut at ${cuts.join(', ')}`).toBe(true);
    }
    const small = Buffer.from('tiny');
    expect(rawFrameContent([rawZstdFrame(small)], small.length)).toEqual(small);
  });

  it('leaves every other frame, or one not exactly the size given, to the decoder', async () => {
    const compressed = await compressFrame(Buffer.alloc(200_000, 'a'));
    expect(zstdDecompressSync(compressed)).toHaveLength(200_000);
    expect(rawFrameContent([compressed], 200_000)).toBeUndefined();
    expect(rawFrameContent([frame], data.length - 1)).toBeUndefined();
    expect(rawFrameContent([frame], data.length + 1)).toBeUndefined();
    expect(rawFrameContent([frame.subarray(0, frame.length - 1)], data.length)).toBeUndefined();
    expect(rawFrameContent([frame, Buffer.from([0])], data.length)).toBeUndefined();
    expect(rawFrameContent([frame.subarray(0, 5)], data.length)).toBeUndefined();
    // The first block's type set to RLE (1): no longer the frame rawZstdFrame writes.
    const rle = Buffer.from(frame);
    rle[6]! |= 0b010;
    expect(rawFrameContent([rle], data.length)).toBeUndefined();
  });
});

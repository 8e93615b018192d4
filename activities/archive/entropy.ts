// Tells data that compression cannot shrink (model weights are close to random) from data it can,
// cheaply enough to ask of every block: compressors skip what would only cost them time.

/**
 * Above this many bits per byte in a sample (8 is uniform random; an 8 KiB random sample measures
 * about 7.98), no compressor wins enough to be worth its time.
 */
const RANDOM_BITS_PER_BYTE = 7.9;
/** Bytes sampled from the middle of a block: enough to tell random from not, cheap to count. */
const SAMPLE = 8 * 1024;
/** A block smaller than this is compressed without looking. */
const MIN_SAMPLED = 16 * 1024;

export function byteEntropy(data: Uint8Array): number {
  const counts = new Uint32Array(256);
  for (let i = 0; i < data.length; i += 1) counts[data[i]!]! += 1;
  let bits = 0;
  for (const count of counts) {
    if (count === 0) continue;
    const p = count / data.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

export function looksRandom(block: Uint8Array): boolean {
  if (block.length < MIN_SAMPLED) return false;
  const start = (block.length - SAMPLE) >> 1;
  return byteEntropy(block.subarray(start, start + SAMPLE)) > RANDOM_BITS_PER_BYTE;
}

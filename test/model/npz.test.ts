// The .npz/.npy reader on real NumPy files: what it accepts, and a clear error for everything else.
import { describe, expect, it } from 'vitest';
import { parseNpy } from '../../activities/model/npy.ts';
import { NpzError, readNpz } from '../../activities/model/npz.ts';
import { fixture, goodModel, validationSet } from './fixtures.ts';

const badArrays = fixture('bad_arrays.npz');

/** A .npy file as NumPy writes it, with the header version and data chosen by the test. */
function npy(header: string, data: Buffer, version = 1): Buffer {
  const lengthBytes = version === 1 ? 2 : 4;
  const prefix = 8 + lengthBytes;
  const padded = header.padEnd(Math.ceil((prefix + header.length + 1) / 64) * 64 - prefix - 1) + '\n';
  const length = Buffer.alloc(lengthBytes);
  if (version === 1) length.writeUInt16LE(padded.length);
  else length.writeUInt32LE(padded.length);
  return Buffer.concat([
    Buffer.from([0x93]),
    Buffer.from('NUMPY'),
    Buffer.from([version, 0]),
    length,
    Buffer.from(padded, 'latin1'),
    data,
  ]);
}

describe('readNpz', () => {
  it('reads a compressed validation set: float32 X and float64 y in C order', async () => {
    const { X, y } = await readNpz(validationSet, ['X', 'y']);
    expect(X).toMatchObject({ dtype: 'float32', shape: [32, 64, 2] });
    expect(y).toMatchObject({ dtype: 'float64', shape: [32, 64, 1] });
    expect(X!.data).toBeInstanceOf(Float32Array);
    expect(X!.data).toHaveLength(32 * 64 * 2);
    // Channel 1 is the grid coordinate n/64: C order puts it at every odd index of a sample.
    expect(Array.from(X!.data.subarray(0, 8)).filter((_, i) => i % 2 === 1)).toEqual([0, 1 / 64, 2 / 64, 3 / 64]);
  });

  it('reads stored (uncompressed) arrays with their values', async () => {
    const { float32, float64 } = await readNpz(badArrays, ['float32', 'float64']);
    expect(float32).toEqual({ dtype: 'float32', shape: [2, 3], data: Float32Array.from([0, 1, 2, 3, 4, 5]) });
    expect(float64).toEqual({ dtype: 'float64', shape: [3, 2], data: Float64Array.from([0, 1, 2, 3, 4, 5]) });
  });

  it.each([
    ['int64', "array 'int64': dtype <i8 is not supported"],
    ['big_endian', "array 'big_endian': big-endian dtype >f4 is not supported"],
    ['fortran', "array 'fortran': Fortran (column-major) order is not supported"],
    ['objects', "array 'objects': object dtype (|O) is not supported"],
    ['missing', "array 'missing' is missing (the file holds: float32, float64, int64, big_endian, fortran, objects)"],
  ])('refuses array %s, naming it and the problem', async (name, message) => {
    const error = await readNpz(badArrays, [name]).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(NpzError);
    expect((error as Error).message.startsWith(`${badArrays}: ${message}`)).toBe(true);
  });

  it('refuses a file that is not a zip', async () => {
    await expect(readNpz(goodModel, ['X'])).rejects.toThrow(`${goodModel}: not an .npz (zip) file`);
  });

  it('refuses a missing file', async () => {
    await expect(readNpz('/nonexistent/set.npz', ['X'])).rejects.toThrow(
      '/nonexistent/set.npz: cannot read it (ENOENT)',
    );
  });

  it('refuses an array over the size limit before reading it', async () => {
    await expect(readNpz(validationSet, ['X'], { maxArrayBytes: 1000 })).rejects.toThrow(
      "array 'X': is 16512 bytes uncompressed, over the 1000-byte limit",
    );
  });

  it('reports a truncated array inside a valid zip', async () => {
    await expect(readNpz(fixture('truncated_array.npz'), ['X'])).rejects.toThrow(
      "array 'X': holds 12 data bytes but shape [4] needs 16",
    );
  });
});

describe('parseNpy', () => {
  it('reads format version 2 headers and little-endian values', () => {
    const data = Buffer.alloc(16);
    data.writeDoubleLE(1.5, 0);
    data.writeDoubleLE(-2.25, 8);
    const array = parseNpy('v2', npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 1), }", data, 2));
    expect(array).toEqual({ dtype: 'float64', shape: [2, 1], data: Float64Array.from([1.5, -2.25]) });
  });

  it('reads a 0-d array as one value', () => {
    const data = Buffer.alloc(4);
    data.writeFloatLE(3, 0);
    expect(parseNpy('scalar', npy("{'descr': '<f4', 'fortran_order': False, 'shape': (), }", data)).data).toEqual(
      Float32Array.from([3]),
    );
  });

  it.each([
    [Buffer.from('PK\x03\x04 not numpy at all'), "array 'a': not a .npy array (bad magic)"],
    [
      npy("{'descr': [('x', '<f4')], 'fortran_order': False, 'shape': (1,), }", Buffer.alloc(4)),
      "array 'a': structured dtype is not supported",
    ],
    [
      npy("{'descr': '<f2', 'fortran_order': False, 'shape': (1,), }", Buffer.alloc(2)),
      "array 'a': dtype <f2 is not supported",
    ],
    [
      npy("{'descr': '<f4', 'fortran_order': False, 'shape': (two,), }", Buffer.alloc(4)),
      "array 'a': unreadable shape",
    ],
    [
      npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", Buffer.alloc(4), 4),
      "array 'a': unsupported .npy format version 4",
    ],
  ])('refuses %#', (bytes, message) => {
    expect(() => parseNpy('a', bytes)).toThrow(message);
  });
});

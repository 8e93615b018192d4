// Loads the validation set (arrays X and y, one sample per leading index) and checks it can be used.
import { FailureType } from '../../types/index.ts';
import { modelFailure } from './failures.ts';
import { NpzError, readNpz } from './npz.ts';
import type { NdArray } from './npy.ts';
import { countNonFinite } from './stats.ts';

export interface ValidationSet {
  /** Number of samples. */
  count: number;
  sampleShape: { x: number[]; y: number[] };
  x(i: number): Float32Array;
  y(i: number): Float32Array | Float64Array;
}

export async function loadValidationSet(path: string): Promise<ValidationSet> {
  let arrays: Record<string, NdArray>;
  try {
    arrays = await readNpz(path, ['X', 'y']);
  } catch (err) {
    if (err instanceof NpzError) throw modelFailure(FailureType.invalidData, `validation set ${err.message}`);
    throw err;
  }
  const { X, y } = arrays as { X: NdArray; y: NdArray };
  const bad = (why: string) => modelFailure(FailureType.invalidData, `validation set ${path}: ${why}`);
  if (X.shape.length < 2 || y.shape.length < 2)
    throw bad(`X and y need a sample axis and data axes (X is [${X.shape}], y is [${y.shape}])`);
  if (X.shape[0] !== y.shape[0]) throw bad(`X has ${X.shape[0]} samples but y has ${y.shape[0]}`);
  if (X.shape[0] === 0) throw bad('it holds no samples');
  for (const [name, array] of [
    ['X', X],
    ['y', y],
  ] as const) {
    const { nan, inf } = countNonFinite(array.data);
    if (nan + inf > 0) throw bad(`array '${name}' holds ${nan} NaN and ${inf} Inf values`);
  }
  const xSize = X.data.length / X.shape[0]!;
  const ySize = y.data.length / y.shape[0]!;
  return {
    count: X.shape[0]!,
    sampleShape: { x: X.shape.slice(1), y: y.shape.slice(1) },
    // The model takes float32; a float64 X is narrowed, as the guide's `.float()` does.
    x: (i) => Float32Array.from(X.data.subarray(i * xSize, (i + 1) * xSize)),
    y: (i) => y.data.subarray(i * ySize, (i + 1) * ySize),
  };
}

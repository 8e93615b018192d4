// Parses one NumPy .npy array (format versions 1–3). Only what the model checks need is accepted:
// little-endian float32 or float64 in C order; anything else is refused with the reason.

export interface NdArray {
  dtype: 'float32' | 'float64';
  shape: number[];
  data: Float32Array | Float64Array;
}

export class NpyError extends Error {
  constructor(array: string, problem: string) {
    super(`array '${array}': ${problem}`);
    this.name = 'NpyError';
  }
}

const MAGIC = Buffer.from([0x93, ...Buffer.from('NUMPY')]);
const accepted: Record<string, { dtype: NdArray['dtype']; size: number }> = {
  '<f4': { dtype: 'float32', size: 4 },
  '<f8': { dtype: 'float64', size: 8 },
};

export function parseNpy(array: string, bytes: Buffer): NdArray {
  const fail = (problem: string) => new NpyError(array, problem);
  if (bytes.length < 10 || !bytes.subarray(0, 6).equals(MAGIC)) throw fail('not a .npy array (bad magic)');
  const major = bytes[6]!;
  if (major < 1 || major > 3) throw fail(`unsupported .npy format version ${major}`);
  const headerLength = major === 1 ? bytes.readUInt16LE(8) : bytes.readUInt32LE(8);
  const headerStart = major === 1 ? 10 : 12;
  const dataStart = headerStart + headerLength;
  if (bytes.length < dataStart) throw fail('truncated header');
  const header = bytes.subarray(headerStart, dataStart).toString(major === 3 ? 'utf8' : 'latin1');

  const descr = /'descr':\s*'([^']*)'/.exec(header)?.[1];
  if (descr === undefined) throw fail('structured dtype is not supported (need little-endian float32 or float64)');
  const type = accepted[descr];
  if (!type) throw fail(describeRefusedDtype(descr));
  if (/'fortran_order':\s*True/.test(header))
    throw fail('Fortran (column-major) order is not supported; save it in C order');
  const shape = parseShape(header);
  if (!shape) throw fail(`unreadable shape in header ${JSON.stringify(header.trim())}`);

  const count = shape.reduce((n, d) => n * d, 1);
  const needed = count * type.size;
  if (bytes.length - dataStart !== needed) {
    throw fail(`holds ${bytes.length - dataStart} data bytes but shape [${shape.join(', ')}] needs ${needed}`);
  }
  // Always little-endian on disk, whatever the host: read through a DataView.
  const view = new DataView(bytes.buffer, bytes.byteOffset + dataStart, needed);
  const data =
    type.dtype === 'float32'
      ? Float32Array.from({ length: count }, (_, i) => view.getFloat32(i * 4, true))
      : Float64Array.from({ length: count }, (_, i) => view.getFloat64(i * 8, true));
  return { dtype: type.dtype, shape, data };
}

function describeRefusedDtype(descr: string): string {
  const need = 'need little-endian float32 (<f4) or float64 (<f8)';
  if (descr.includes('O')) return `object dtype (${descr}) is not supported: it holds pickled Python objects; ${need}`;
  if (descr.startsWith('>')) return `big-endian dtype ${descr} is not supported; ${need}`;
  return `dtype ${descr} is not supported; ${need}`;
}

function parseShape(header: string): number[] | undefined {
  const inner = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (inner === undefined) return undefined;
  const dims = inner
    .split(',')
    .map((d) => d.trim())
    .filter((d) => d !== '');
  if (!dims.every((d) => /^\d+$/.test(d))) return undefined;
  return dims.map(Number);
}

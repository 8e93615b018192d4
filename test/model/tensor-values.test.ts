// Float tensor values in every ONNX storage: raw_data (little-endian), float_data, double_data and
// 16-bit floats as bit patterns in int32_data.
import { describe, expect, it } from 'vitest';
import { dataTypeNames, type TensorProto } from '../../activities/model/onnx-proto.ts';
import { bfloat16ToFloat, decodeFloats, halfToFloat } from '../../activities/model/tensor-values.ts';
import { onnxElemTypes } from '../../types/index.ts';

const code = Object.fromEntries(dataTypeNames().map((name, i) => [name, i]));

function tensor(type: string, dims: number[], fields: Partial<TensorProto>): TensorProto {
  return { name: 't', dims, dataType: code[type], floatData: [], doubleData: [], int32Data: [], ...fields };
}

function le(kind: 'f32' | 'f64' | 'u16', values: number[]): Uint8Array {
  const size = kind === 'f64' ? 8 : kind === 'f32' ? 4 : 2;
  const buf = Buffer.alloc(values.length * size);
  values.forEach((v, i) =>
    kind === 'f32'
      ? buf.writeFloatLE(v, i * 4)
      : kind === 'f64'
        ? buf.writeDoubleLE(v, i * 8)
        : buf.writeUInt16LE(v, i * 2),
  );
  return buf;
}

const values = (t: TensorProto) => {
  const decoded = decodeFloats(t);
  if (decoded.kind !== 'float') throw new Error(`not decoded: ${JSON.stringify(decoded)}`);
  return Array.from(decoded.values);
};

describe('decodeFloats', () => {
  it('reads FLOAT and DOUBLE from raw_data as little-endian', () => {
    expect(values(tensor('FLOAT', [3], { rawData: le('f32', [1.5, NaN, -Infinity]) }))).toEqual([1.5, NaN, -Infinity]);
    expect(values(tensor('DOUBLE', [2], { rawData: le('f64', [1e300, -0.5]) }))).toEqual([1e300, -0.5]);
  });

  it('reads float_data and double_data when there is no raw_data', () => {
    expect(values(tensor('FLOAT', [2, 1], { floatData: [0.25, NaN] }))).toEqual([0.25, NaN]);
    expect(values(tensor('DOUBLE', [1], { doubleData: [Infinity] }))).toEqual([Infinity]);
  });

  it('converts FLOAT16 from raw_data and from int32_data bit patterns', () => {
    const bits = [0x3c00, 0xc000, 0x7bff, 0x0001, 0x7c00, 0x7e00];
    const expected = [1, -2, 65504, 2 ** -24, Infinity, NaN];
    expect(values(tensor('FLOAT16', [6], { rawData: le('u16', bits) }))).toEqual(expected);
    expect(values(tensor('FLOAT16', [6], { int32Data: bits }))).toEqual(expected);
  });

  it('converts BFLOAT16', () => {
    expect(values(tensor('BFLOAT16', [3], { int32Data: [0x3f80, 0xc040, 0x7f80] }))).toEqual([1, -3, Infinity]);
  });

  it('reads both parts of complex values', () => {
    expect(values(tensor('COMPLEX64', [1], { floatData: [1, NaN] }))).toEqual([1, NaN]);
  });

  it('leaves non-float tensors alone', () => {
    expect(decodeFloats(tensor('INT64', [1], { rawData: le('f64', [NaN]) }))).toEqual({ kind: 'not-float' });
  });

  it('reports values it cannot read instead of guessing', () => {
    expect(decodeFloats(tensor('FLOAT', [4], { rawData: le('f32', [1, 2, 3]) }))).toEqual({
      kind: 'unreadable',
      why: 'raw_data holds 12 bytes but its dims need 16',
    });
    expect(decodeFloats(tensor('FLOAT', [2], { floatData: [1] }))).toEqual({
      kind: 'unreadable',
      why: 'holds 1 values but its dims need 2',
    });
    expect(decodeFloats(tensor('FLOAT', [2], { dataLocation: 1 }))).toEqual({
      kind: 'unreadable',
      why: 'values are stored in an external file',
    });
  });
});

describe('16-bit float conversion', () => {
  it('handles zero, negative zero, subnormals and the largest values', () => {
    expect(halfToFloat(0x0000)).toBe(0);
    expect(Object.is(halfToFloat(0x8000), -0)).toBe(true);
    expect(halfToFloat(0x03ff)).toBe(1023 * 2 ** -24);
    expect(halfToFloat(0x3555)).toBeCloseTo(1 / 3, 3);
    expect(halfToFloat(0xfc00)).toBe(-Infinity);
    expect(bfloat16ToFloat(0x7fc0)).toBeNaN();
  });
});

describe('the element type vocabulary', () => {
  it('matches the DataType enum of the vendored onnx.proto', () => {
    expect([...onnxElemTypes]).toEqual(dataTypeNames());
  });
});

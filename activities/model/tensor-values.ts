// Reads the values of float tensors in every storage ONNX allows, to find NaN and Inf.
import { dataTypeName, externalDataLocation, int64, type TensorProto } from './onnx-proto.ts';

/** Bytes per stored number, for the float types (a complex element is two numbers). */
const partSize: Record<string, number> = {
  FLOAT: 4,
  COMPLEX64: 4,
  DOUBLE: 8,
  COMPLEX128: 8,
  FLOAT16: 2,
  BFLOAT16: 2,
};

export type TensorValues =
  { kind: 'float'; values: ArrayLike<number> } | { kind: 'not-float' } | { kind: 'unreadable'; why: string };

/** Decodes a tensor's values to numbers (FLOAT16/BFLOAT16 converted); non-float types are not decoded. */
export function decodeFloats(tensor: TensorProto): TensorValues {
  const type = dataTypeName(tensor.dataType);
  const size = partSize[type];
  if (size === undefined) return { kind: 'not-float' };
  if (tensor.dataLocation === externalDataLocation)
    return { kind: 'unreadable', why: 'values are stored in an external file' };

  const count = tensor.dims.reduce<number>((n, d) => n * int64(d), 1);
  const parts = type.startsWith('COMPLEX') ? 2 : 1;
  const raw = tensor.rawData;
  if (raw && raw.length > 0 && raw.length !== count * parts * size) {
    return { kind: 'unreadable', why: `raw_data holds ${raw.length} bytes but its dims need ${count * parts * size}` };
  }
  const values = raw && raw.length > 0 ? fromRaw(size, type, raw) : fromTypedField(type, tensor);
  if (values.length !== count * parts) {
    return { kind: 'unreadable', why: `holds ${values.length / parts} values but its dims need ${count}` };
  }
  return { kind: 'float', values };
}

/** raw_data is little-endian whatever the host, so read it through a DataView. */
function fromRaw(size: number, type: string, raw: Uint8Array): ArrayLike<number> {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const n = raw.byteLength / size;
  if (size === 4) return Float32Array.from({ length: n }, (_, i) => view.getFloat32(i * 4, true));
  if (size === 8) return Float64Array.from({ length: n }, (_, i) => view.getFloat64(i * 8, true));
  const convert = type === 'FLOAT16' ? halfToFloat : bfloat16ToFloat;
  return Float32Array.from({ length: n }, (_, i) => convert(view.getUint16(i * 2, true)));
}

/** Outside raw_data: FLOAT in float_data, DOUBLE in double_data, 16-bit floats as bit patterns in int32_data. */
function fromTypedField(type: string, tensor: TensorProto): ArrayLike<number> {
  if (type === 'FLOAT' || type === 'COMPLEX64') return tensor.floatData;
  if (type === 'DOUBLE' || type === 'COMPLEX128') return tensor.doubleData;
  const convert = type === 'FLOAT16' ? halfToFloat : bfloat16ToFloat;
  return Float32Array.from(tensor.int32Data, (bits) => convert(bits & 0xffff));
}

/** IEEE 754 binary16 to a JS number. */
export function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** bfloat16 is the top half of a float32. */
export function bfloat16ToFloat(bits: number): number {
  const view = new DataView(new ArrayBuffer(4));
  view.setUint32(0, (bits & 0xffff) << 16);
  return view.getFloat32(0);
}

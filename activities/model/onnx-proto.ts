// Decodes ONNX model files with protobufjs from the vendored official schema (onnx.proto, loaded as
// the onnx-schema.json generated from it), so the wire format is never parsed by hand.
import protobuf from 'protobufjs';
import schema from './onnx-schema.json' with { type: 'json' };

type Int64 = number | { toNumber(): number };

export interface TensorProto {
  name?: string;
  dims: Int64[];
  dataType?: number;
  rawData?: Uint8Array;
  floatData: number[];
  doubleData: number[];
  int32Data: number[];
  dataLocation?: number;
}

interface Dimension {
  /** protobufjs's virtual oneof: which of the two fields is set (unset fields read as defaults). */
  value?: 'dimValue' | 'dimParam';
  dimValue?: Int64;
  dimParam?: string;
}

export interface ValueInfoProto {
  name?: string;
  type?: { tensorType?: { elemType?: number; shape?: { dim: Dimension[] } } };
}

export interface NodeProto {
  name?: string;
  opType?: string;
  output: string[];
  attribute: { name?: string; t?: TensorProto }[];
}

export interface ModelProto {
  irVersion?: Int64;
  producerName?: string;
  opsetImport: { domain?: string; version?: Int64 }[];
  graph?: {
    input: ValueInfoProto[];
    output: ValueInfoProto[];
    initializer: TensorProto[];
    node: NodeProto[];
  };
}

const root = protobuf.Root.fromJSON(schema);
const modelType = root.lookupType('onnx.ModelProto');
const dataTypes = root.lookupEnum('onnx.TensorProto.DataType');
/** TensorProto.DataType.EXTERNAL: values live in another file. */
export const externalDataLocation = root.lookupEnum('onnx.TensorProto.DataLocation').values.EXTERNAL;

/** Decodes a model; throws with protobufjs's reason when the bytes are not a ModelProto. */
export function decodeModel(bytes: Uint8Array): ModelProto {
  const model = modelType.decode(bytes) as unknown as ModelProto;
  // Arbitrary bytes can decode to an empty message; a real model always has a graph and an IR version.
  if (!model.graph || !model.irVersion) throw new Error('no graph or IR version: not an ONNX model');
  return model;
}

/** The DataType enum name (`FLOAT`, `DOUBLE`, …) for a numeric code, from onnx.proto itself. */
export function dataTypeName(code: number | undefined): string {
  return dataTypes.valuesById[code ?? 0] ?? `UNKNOWN(${code})`;
}

/** Every DataType name in the vendored schema, in code order. */
export function dataTypeNames(): string[] {
  return Object.entries(dataTypes.values)
    .sort(([, a], [, b]) => a - b)
    .map(([name]) => name);
}

export function int64(value: Int64 | undefined): number {
  if (value === undefined) return 0;
  return typeof value === 'number' ? value : value.toNumber();
}

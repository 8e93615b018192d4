// The integrity facts of one local model file: readable, its digest, parses, its graph inputs and
// outputs, and which float tensors hold NaN or Inf. Judging them is workflows/model/policy.ts's job.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { ModelIntegrityFacts, NonFiniteTensor, TensorSpec } from '../../types/index.ts';
import {
  dataTypeName,
  decodeModel,
  int64,
  type ModelProto,
  type TensorProto,
  type ValueInfoProto,
} from './onnx-proto.ts';
import { countNonFinite } from './stats.ts';
import { decodeFloats } from './tensor-values.ts';

export async function inspectModelFile(path: string, model: string): Promise<ModelIntegrityFacts> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    return { model, readError: describeReadError(err) };
  }
  const facts: ModelIntegrityFacts = {
    model,
    sizeBytes: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
  };
  let proto: ModelProto;
  try {
    proto = decodeModel(bytes);
  } catch (err) {
    return { ...facts, parseError: (err as Error).message };
  }
  return { ...facts, ...describeGraph(proto), ...scanTensors(proto) };
}

function describeReadError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'model file not found';
  if (code === 'EACCES' || code === 'EPERM') return 'model file not readable (permission denied)';
  if (code === 'EISDIR') return 'model path is a directory';
  return `model file not readable: ${(err as Error).message}`;
}

function describeGraph(proto: ModelProto) {
  const graph = proto.graph!;
  // Before IR 4, initializers were also listed as graph inputs; they are weights, not inputs.
  const weights = new Set(graph.initializer.map((t) => t.name));
  const opset = proto.opsetImport.find((o) => !o.domain || o.domain === 'ai.onnx');
  return {
    irVersion: int64(proto.irVersion),
    opsetVersion: int64(opset?.version),
    producer: proto.producerName ?? '',
    inputs: graph.input.filter((v) => !weights.has(v.name)).map(tensorSpec),
    outputs: graph.output.map(tensorSpec),
  };
}

function tensorSpec(value: ValueInfoProto): TensorSpec {
  const tensor = value.type?.tensorType;
  return {
    name: value.name ?? '',
    elemType: dataTypeName(tensor?.elemType),
    shape: (tensor?.shape?.dim ?? []).map((d) => (d.value === 'dimValue' ? int64(d.dimValue) : d.dimParam || '?')),
  };
}

/** Initializers and the tensors of Constant nodes: every weight stored in the file. */
function scanTensors(proto: ModelProto) {
  const graph = proto.graph!;
  const tensors: [string, TensorProto][] = graph.initializer.map((t) => [t.name ?? '', t]);
  for (const node of graph.node) {
    if (node.opType !== 'Constant') continue;
    for (const attr of node.attribute) {
      if (attr.t) tensors.push([`Constant ${node.name || node.output[0]}`, attr.t]);
    }
  }
  let tensorsChecked = 0;
  const nonFinite: NonFiniteTensor[] = [];
  const unchecked: { name: string; why: string }[] = [];
  for (const [name, tensor] of tensors) {
    const decoded = decodeFloats(tensor);
    if (decoded.kind === 'not-float') continue;
    if (decoded.kind === 'unreadable') {
      unchecked.push({ name, why: decoded.why });
      continue;
    }
    tensorsChecked++;
    const { nan, inf } = countNonFinite(decoded.values);
    if (nan + inf > 0) nonFinite.push({ name, elemType: dataTypeName(tensor.dataType), nan, inf });
  }
  return { tensorsChecked, nonFinite, unchecked };
}

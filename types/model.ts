/**
 * Where the model file comes from. An empty `path` in a `file` source means the worker's configured
 * PNO_MODEL_PATH (workflows cannot read the worker's environment).
 */
export type ModelSource =
  | { kind: 'file'; path: string }
  | { kind: 's3'; bucket: string; key: string }
  | { kind: 'pod'; namespace: string; selector: string; container?: string; path: string };

/** ONNX TensorProto.DataType names, as the model file spells them (a test pins them to onnx.proto). */
export const onnxElemTypes = [
  'UNDEFINED',
  'FLOAT',
  'UINT8',
  'INT8',
  'UINT16',
  'INT16',
  'INT32',
  'INT64',
  'STRING',
  'BOOL',
  'FLOAT16',
  'DOUBLE',
  'UINT32',
  'UINT64',
  'COMPLEX64',
  'COMPLEX128',
  'BFLOAT16',
] as const;
export type OnnxElemType = (typeof onnxElemTypes)[number];

/**
 * A graph input or output. A number is a fixed dimension; a string is a dynamic one (its name, e.g.
 * `batch`, or `?` when the model leaves it unnamed). In an expected spec any string means "dynamic".
 */
export interface TensorSpec {
  name: string;
  elemType: string;
  shape: (number | string)[];
}

/** A float initializer (or Constant) that holds NaN or ±Inf. */
export interface NonFiniteTensor {
  name: string;
  elemType: string;
  nan: number;
  inf: number;
}

/** What the integrity activity saw. Problems are facts here; workflows/model/policy.ts decides what fails. */
export interface ModelIntegrityFacts {
  /** The source, described for humans: `file:/path`, `s3://bucket/key`. */
  model: string;
  /** Set when the file could not be found or read; nothing below is then known. */
  readError?: string;
  sizeBytes?: number;
  sha256?: string;
  /** Set when the bytes are not a valid ONNX model; nothing below is then known. */
  parseError?: string;
  irVersion?: number;
  opsetVersion?: number;
  producer?: string;
  inputs?: TensorSpec[];
  outputs?: TensorSpec[];
  /** Float tensors scanned for NaN/Inf (initializers and Constant nodes). */
  tensorsChecked?: number;
  nonFinite?: NonFiniteTensor[];
  /** Float tensors whose values could not be scanned (e.g. external data), with why. */
  unchecked?: { name: string; why: string }[];
}

export interface LatencySummary {
  p50: number;
  p95: number;
  max: number;
}

/** What the inference activity measured on the first samples of the validation set. */
export interface ModelInferenceFacts {
  model: string;
  sha256: string;
  samples: number;
  /** How long creating the ONNX Runtime session took. */
  loadMs: number;
  /** Per-sample (batch of one) run time in milliseconds, after one warm-up run. */
  latencyMs: LatencySummary;
  /** NaN/Inf counts per output name, over all samples; outputs with none are left out. */
  nonFiniteOutputs: Record<string, number>;
  /** Mean over samples of ‖mean − y‖₂ / ‖y‖₂; null when an output was not finite. */
  relativeL2Error: number | null;
  /** Fraction of targets inside mean ± 2σ; null for a model without a variance output or non-finite outputs. */
  coverage2Sigma: number | null;
  targets: number;
}

export type ModelCheckStatus = 'PASS' | 'FAIL' | 'SKIPPED';

export interface ModelCheckResult<Facts = unknown> {
  name: string;
  status: ModelCheckStatus;
  /** Why it failed (or was skipped); empty on PASS. */
  reasons: string[];
  summary: string;
  facts?: Facts;
}

export interface ModelHealthReport {
  status: 'PASS' | 'FAIL';
  checkedAt: string;
  model: string;
  /** The model checked, the same whichever pod served it: what alerts and metrics are keyed by. */
  identity?: string;
  checks: {
    integrity: ModelCheckResult<ModelIntegrityFacts>;
    inference: ModelCheckResult<ModelInferenceFacts>;
  };
}

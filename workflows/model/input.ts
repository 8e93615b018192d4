// modelHealthWorkflow's input: defaults that check the worker's own model with `--input '{}'`, and
// validation that names the field and the rule.
import { onnxElemTypes, type ModelSource, type TensorSpec } from '../../types/index.ts';
import { invalidInput, requireInteger, requireKubeName, requireSelector, withDefaults } from '../shared/input.ts';

export interface ModelHealthInput {
  /** Where the model comes from; a `file` source with an empty path means the worker's PNO_MODEL_PATH. */
  source?: ModelSource;
  /** Expected SHA-256 of the model file (hex); empty skips the digest check. */
  expectedSha256?: string;
  /** Graph inputs the service feeds; a string dimension means "dynamic" (e.g. the batch). */
  expectedInputs?: TensorSpec[];
  /** Graph outputs the service reads; the model may have more. */
  expectedOutputs?: TensorSpec[];
  /** A .npz with arrays X and y on the worker; empty means the worker's PNO_VALIDATION_SET_PATH. */
  validationSetPath?: string;
  /** The first N samples are run, one at a time (the guide runs `X_test[:10]`). */
  samples?: number;
  meanOutput?: string;
  /** Output holding log σ²; empty for a deterministic model (no coverage check). */
  logVarianceOutput?: string;
  maxRelativeL2Error?: number;
  /**
   * Pass when |coverage of mean ± 2σ − 0.95| ≤ this. Kept under 0.05 by default so the upper side
   * bites too: coverage near 1.0 means intervals too wide to be useful.
   */
  coverageTolerance?: number;
}

const gridSpec = (name: string, channels: number): TensorSpec => ({ name, elemType: 'FLOAT', shape: ['batch', 64, channels] });

/** Defaults describe the served PNO: x [batch, 64, 2] → mean and log_variance [batch, 64, 1]. */
export const modelHealthDefaults: Required<ModelHealthInput> = {
  source: { kind: 'file', path: '' },
  expectedSha256: '',
  expectedInputs: [gridSpec('x', 2)],
  expectedOutputs: [gridSpec('mean', 1), gridSpec('log_variance', 1)],
  validationSetPath: '',
  samples: 10,
  meanOutput: 'mean',
  logVarianceOutput: 'log_variance',
  maxRelativeL2Error: 0.1,
  coverageTolerance: 0.03,
};

export function validateModelHealthInput(raw: unknown): Required<ModelHealthInput> {
  const input = withDefaults('modelHealthWorkflow', raw, modelHealthDefaults);
  input.source = requireSource('source', input.source);
  if (typeof input.expectedSha256 !== 'string' || !/^([0-9a-fA-F]{64})?$/.test(input.expectedSha256)) {
    throw invalidInput('expectedSha256', 'must be 64 hex digits, or empty to skip the digest check', input.expectedSha256);
  }
  input.expectedSha256 = input.expectedSha256.toLowerCase();
  requireTensorSpecs('expectedInputs', input.expectedInputs);
  requireTensorSpecs('expectedOutputs', input.expectedOutputs);
  requirePath('validationSetPath', input.validationSetPath, true);
  requireInteger('samples', input.samples, 1, 10_000);
  const outputs = input.expectedOutputs.map((t) => t.name);
  if (typeof input.meanOutput !== 'string' || !outputs.includes(input.meanOutput)) {
    throw invalidInput('meanOutput', `must name one of expectedOutputs (${outputs.join(', ')})`, input.meanOutput);
  }
  if (typeof input.logVarianceOutput !== 'string' || (input.logVarianceOutput !== '' && !outputs.includes(input.logVarianceOutput))) {
    throw invalidInput('logVarianceOutput', `must name one of expectedOutputs (${outputs.join(', ')}) or be empty`, input.logVarianceOutput);
  }
  requireNumber('maxRelativeL2Error', input.maxRelativeL2Error, 0, 10, false);
  requireNumber('coverageTolerance', input.coverageTolerance, 0, 0.95, true);
  return input;
}

function requireNumber(field: string, value: unknown, min: number, max: number, minIncluded: boolean): number {
  const ok = typeof value === 'number' && Number.isFinite(value) && (minIncluded ? value >= min : value > min) && value <= max;
  if (!ok) throw invalidInput(field, `must be a number ${minIncluded ? 'from' : 'above'} ${min} ${minIncluded ? 'to' : 'up to'} ${max}`, value);
  return value;
}

/** An absolute path on the worker (relative ones would depend on its working directory). */
function requirePath(field: string, value: unknown, emptyAllowed: boolean): string {
  const ok = typeof value === 'string' && ((emptyAllowed && value === '') || (value.startsWith('/') && !value.includes('\0')));
  if (!ok) throw invalidInput(field, `must be an absolute path${emptyAllowed ? ', or empty for the worker default' : ''}`, value);
  return value;
}

const sourceFields: Record<ModelSource['kind'], string[]> = {
  file: ['kind', 'path'],
  s3: ['kind', 'bucket', 'key'],
  pod: ['kind', 'namespace', 'selector', 'container', 'path'],
};

function requireSource(field: string, value: unknown): ModelSource {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalidInput(field, 'must be an object with a kind', value);
  const source = value as Record<string, unknown>;
  const kind = source.kind as ModelSource['kind'];
  if (!Object.hasOwn(sourceFields, kind)) throw invalidInput(`${field}.kind`, 'must be one of file, s3, pod', source.kind);
  const allowed = sourceFields[kind];
  for (const key of Object.keys(source)) {
    if (!allowed.includes(key)) throw invalidInput(`${field}.${key}`, `is not a field of a ${kind} source`, source[key]);
  }
  switch (kind) {
    case 'file':
      return { kind, path: requirePath(`${field}.path`, source.path ?? '', true) };
    case 's3': {
      const bucket = source.bucket;
      if (typeof bucket !== 'string' || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
        throw invalidInput(`${field}.bucket`, 'must be an S3 bucket name (3-63 lowercase letters, digits, . and -)', bucket);
      }
      const key = source.key;
      if (typeof key !== 'string' || key === '' || key.length > 1024) throw invalidInput(`${field}.key`, 'must be a non-empty object key', key);
      return { kind, bucket, key };
    }
    case 'pod': {
      const pod: ModelSource = {
        kind,
        namespace: requireKubeName(`${field}.namespace`, source.namespace),
        selector: requireSelector(`${field}.selector`, source.selector),
        path: requirePath(`${field}.path`, source.path, false),
      };
      if (source.container !== undefined) pod.container = requireKubeName(`${field}.container`, source.container);
      return pod;
    }
  }
}

function requireTensorSpecs(field: string, value: unknown): TensorSpec[] {
  if (!Array.isArray(value) || value.length === 0) throw invalidInput(field, 'must be a non-empty array of {name, elemType, shape}', value);
  value.forEach((spec: unknown, i) => {
    const at = `${field}[${i}]`;
    if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) throw invalidInput(at, 'must be an object {name, elemType, shape}', spec);
    const { name, elemType, shape, ...extra } = spec as Record<string, unknown>;
    const unknownKey = Object.keys(extra)[0];
    if (unknownKey !== undefined) throw invalidInput(`${at}.${unknownKey}`, 'is not a field of a tensor spec', extra[unknownKey]);
    if (typeof name !== 'string' || name === '') throw invalidInput(`${at}.name`, 'must be a non-empty string', name);
    if (typeof elemType !== 'string' || !(onnxElemTypes as readonly string[]).includes(elemType)) {
      throw invalidInput(`${at}.elemType`, `must be an ONNX element type (${onnxElemTypes.join(', ')})`, elemType);
    }
    const dimOk = (d: unknown) => (typeof d === 'number' && Number.isInteger(d) && d >= 0) || (typeof d === 'string' && d !== '');
    if (!Array.isArray(shape) || !shape.every(dimOk)) {
      throw invalidInput(`${at}.shape`, 'must be an array of fixed sizes (integers) and dynamic names (strings)', shape);
    }
  });
  return value as TensorSpec[];
}

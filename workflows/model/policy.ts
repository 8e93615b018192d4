// Pure policy: what the facts gathered by the model activities mean. No I/O, so it is easy to test.
import type {
  ModelCheckResult,
  ModelHealthReport,
  ModelInferenceFacts,
  ModelIntegrityFacts,
  ModelSource,
  TensorSpec,
} from '../../types/index.ts';

/** The nominal coverage of mean ± 2σ under a Gaussian predictive distribution (95.45%, rounded as usual). */
export const TARGET_COVERAGE = 0.95;

export interface IntegrityExpectations {
  /** Lowercase hex; empty means any digest is accepted. */
  expectedSha256: string;
  expectedInputs: TensorSpec[];
  expectedOutputs: TensorSpec[];
}

export interface InferenceThresholds {
  /** How many samples must have run. */
  samples: number;
  maxRelativeL2Error: number;
  /**
   * Calibration: coverage must satisfy |coverage − 0.95| ≤ tolerance. Two-sided on purpose: too low
   * means over-confident uncertainty, too high means intervals too wide to be useful.
   */
  coverageTolerance: number;
  /** Empty for a deterministic model: coverage is then not required. */
  logVarianceOutput: string;
}

export function assessIntegrity(
  facts: ModelIntegrityFacts,
  expect: IntegrityExpectations,
): ModelCheckResult<ModelIntegrityFacts> {
  const fail = (reasons: string[]) => result('integrity', reasons, '', facts);
  if (facts.readError !== undefined) return fail([facts.readError]);
  const reasons: string[] = [];
  if (expect.expectedSha256 !== '' && facts.sha256 !== expect.expectedSha256) {
    reasons.push(`sha256 ${facts.sha256} does not match the expected ${expect.expectedSha256}`);
  }
  if (facts.parseError !== undefined) return fail([...reasons, `not a valid ONNX model: ${facts.parseError}`]);
  reasons.push(...compareSpecs('input', expect.expectedInputs, facts.inputs ?? [], true));
  reasons.push(...compareSpecs('output', expect.expectedOutputs, facts.outputs ?? [], false));
  for (const t of facts.nonFinite ?? []) {
    reasons.push(`${describeTensor(t.name)} (${t.elemType}) holds ${t.nan} NaN and ${t.inf} Inf values`);
  }
  // A weight that could not be read could hide NaN/Inf; passing it unseen would be a false PASS.
  for (const t of facts.unchecked ?? []) reasons.push(`${describeTensor(t.name)} could not be checked: ${t.why}`);
  const summary = `${facts.tensorsChecked} float tensors finite, inputs and outputs as expected, sha256 ${facts.sha256}`;
  return result('integrity', reasons, summary, facts);
}

function describeTensor(name: string): string {
  return name.startsWith('Constant ') ? name : `initializer ${name}`;
}

/**
 * Every expected tensor must be present with the same element type and shape. A numeric dimension
 * must match exactly; a named one (e.g. `batch`) must be dynamic in the model. Extra inputs fail
 * (the service could not feed them); extra outputs are harmless and allowed.
 */
export function compareSpecs(
  kind: 'input' | 'output',
  expected: TensorSpec[],
  actual: TensorSpec[],
  exact: boolean,
): string[] {
  const reasons: string[] = [];
  for (const want of expected) {
    const got = actual.find((t) => t.name === want.name);
    if (!got) {
      reasons.push(`${kind} ${want.name} missing (model has ${actual.map((t) => t.name).join(', ') || 'none'})`);
      continue;
    }
    if (got.elemType !== want.elemType)
      reasons.push(`${kind} ${want.name} is ${got.elemType}, expected ${want.elemType}`);
    if (!shapeMatches(want.shape, got.shape)) {
      reasons.push(`${kind} ${want.name} has shape ${formatShape(got.shape)}, expected ${formatShape(want.shape)}`);
    }
  }
  if (exact) {
    for (const extra of actual.filter((t) => !expected.some((e) => e.name === t.name)))
      reasons.push(`unexpected ${kind} ${extra.name}`);
  }
  return reasons;
}

function shapeMatches(want: (number | string)[], got: (number | string)[]): boolean {
  return (
    want.length === got.length &&
    want.every((d, i) => (typeof d === 'number' ? got[i] === d : typeof got[i] === 'string'))
  );
}

function formatShape(shape: (number | string)[]): string {
  return `[${shape.join(', ')}]`;
}

export function assessInference(
  facts: ModelInferenceFacts,
  limits: InferenceThresholds,
  integritySha256: string | undefined,
): ModelCheckResult<ModelInferenceFacts> {
  const reasons: string[] = [];
  if (integritySha256 !== undefined && facts.sha256 !== integritySha256) {
    reasons.push(
      `the model changed between checks: integrity saw sha256 ${integritySha256}, inference ran ${facts.sha256}`,
    );
  }
  if (facts.samples < limits.samples)
    reasons.push(`only ${facts.samples} of ${limits.samples} samples in the validation set`);
  for (const [output, count] of Object.entries(facts.nonFiniteOutputs)) {
    reasons.push(`output ${output} has ${count} NaN/Inf values over ${facts.samples} samples`);
  }
  const l2 = facts.relativeL2Error;
  if (l2 !== null && l2 > limits.maxRelativeL2Error) {
    reasons.push(`relative L2 error ${round(l2)} is above ${limits.maxRelativeL2Error}`);
  }
  const coverage = facts.coverage2Sigma;
  if (
    limits.logVarianceOutput !== '' &&
    coverage !== null &&
    Math.abs(coverage - TARGET_COVERAGE) > limits.coverageTolerance
  ) {
    reasons.push(`2σ coverage ${round(coverage)} is outside ${TARGET_COVERAGE} ± ${limits.coverageTolerance}`);
  }
  const latency = `p50 ${facts.latencyMs.p50} ms, p95 ${facts.latencyMs.p95} ms per sample`;
  const calibration = coverage === null ? '' : `, 2σ coverage ${round(coverage)}`;
  const summary = `${facts.samples} samples: relative L2 ${round(l2 ?? NaN)}${calibration}, ${latency}`;
  return result('inference', reasons, summary, facts);
}

function round(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}

function result<F>(name: string, reasons: string[], summary: string, facts: F): ModelCheckResult<F> {
  if (reasons.length > 0) return { name, status: 'FAIL', reasons, summary: reasons.join('; '), facts };
  return { name, status: 'PASS', reasons: [], summary, facts };
}

/** A check whose activity failed for good (unsupported source, unreadable data) is a FAIL, not a crash. */
export function checkFailed(name: string, message: string): ModelCheckResult<never> {
  return { name, status: 'FAIL', reasons: [message], summary: message };
}

export function checkSkipped(name: string, why: string): ModelCheckResult<never> {
  return { name, status: 'SKIPPED', reasons: [why], summary: `skipped: ${why}` };
}

/** PASS only when every check passed; a skipped check means something upstream failed. */
export function overallModelHealth(checks: ModelHealthReport['checks']): ModelHealthReport['status'] {
  return Object.values(checks).every((c) => c.status === 'PASS') ? 'PASS' : 'FAIL';
}

/** The source as reports name it, when no activity could describe it (e.g. it failed to fetch). */
export function sourceLabel(source: ModelSource): string {
  switch (source.kind) {
    case 'file':
      return `file:${source.path || '(worker default PNO_MODEL_PATH)'}`;
    case 's3':
      return `s3://${source.bucket}/${source.key}`;
    case 'pod':
      return `pod:${source.namespace}/${source.selector}:${source.path}`;
  }
}

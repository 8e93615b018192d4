// The pure model policy: which facts make a check FAIL, and the reasons it gives.
import { describe, expect, it } from 'vitest';
import type { ModelInferenceFacts, ModelIntegrityFacts } from '../../types/index.ts';
import { modelHealthDefaults } from '../../workflows/model/input.ts';
import {
  assessInference,
  assessIntegrity,
  checkSkipped,
  compareSpecs,
  overallModelHealth,
} from '../../workflows/model/policy.ts';

const sha = 'a'.repeat(64);
const expectations = { ...modelHealthDefaults, expectedSha256: '' };
const goodIntegrity: ModelIntegrityFacts = {
  model: 'file:/m.onnx',
  sizeBytes: 10,
  sha256: sha,
  inputs: modelHealthDefaults.expectedInputs,
  outputs: modelHealthDefaults.expectedOutputs,
  tensorsChecked: 19,
  nonFinite: [],
  unchecked: [],
};
const goodInference: ModelInferenceFacts = {
  model: 'file:/m.onnx',
  sha256: sha,
  samples: 10,
  loadMs: 12,
  latencyMs: { p50: 0.2, p95: 0.5, max: 0.9 },
  nonFiniteOutputs: {},
  relativeL2Error: 0.07,
  coverage2Sigma: 0.955,
  targets: 640,
};

describe('assessIntegrity', () => {
  it('passes a readable, finite model with the expected inputs and outputs', () => {
    const check = assessIntegrity(goodIntegrity, expectations);
    expect(check).toMatchObject({ status: 'PASS', reasons: [] });
    expect(check.summary).toContain('19 float tensors finite');
  });

  it('fails a missing file with the read error alone', () => {
    expect(assessIntegrity({ model: 'm', readError: 'model file not found' }, expectations)).toMatchObject({
      status: 'FAIL',
      reasons: ['model file not found'],
    });
  });

  it('fails a digest mismatch, and accepts the same digest', () => {
    expect(assessIntegrity(goodIntegrity, { ...expectations, expectedSha256: 'b'.repeat(64) }).reasons).toEqual([
      `sha256 ${sha} does not match the expected ${'b'.repeat(64)}`,
    ]);
    expect(assessIntegrity(goodIntegrity, { ...expectations, expectedSha256: sha }).status).toBe('PASS');
  });

  it('fails an unparseable model, keeping a digest mismatch too', () => {
    const facts = { model: 'm', sizeBytes: 5, sha256: sha, parseError: 'index out of range' };
    expect(assessIntegrity(facts, { ...expectations, expectedSha256: 'c'.repeat(64) }).reasons).toEqual([
      `sha256 ${sha} does not match the expected ${'c'.repeat(64)}`,
      'not a valid ONNX model: index out of range',
    ]);
  });

  it('names every non-finite or unreadable weight', () => {
    const check = assessIntegrity(
      {
        ...goodIntegrity,
        nonFinite: [
          { name: 'w', elemType: 'FLOAT16', nan: 2, inf: 1 },
          { name: 'Constant c1', elemType: 'FLOAT', nan: 0, inf: 4 },
        ],
        unchecked: [{ name: 'big', why: 'values are stored in an external file' }],
      },
      expectations,
    );
    expect(check.reasons).toEqual([
      'initializer w (FLOAT16) holds 2 NaN and 1 Inf values',
      'Constant c1 (FLOAT) holds 0 NaN and 4 Inf values',
      'initializer big could not be checked: values are stored in an external file',
    ]);
  });
});

describe('compareSpecs', () => {
  const x = { name: 'x', elemType: 'FLOAT', shape: ['batch', 64, 2] };

  it('accepts any dynamic name for a named dimension, and only that size for a fixed one', () => {
    expect(compareSpecs('input', [x], [{ ...x, shape: ['N', 64, 2] }], true)).toEqual([]);
    expect(compareSpecs('input', [x], [{ ...x, shape: [1, 64, 2] }], true)).toEqual([
      'input x has shape [1, 64, 2], expected [batch, 64, 2]',
    ]);
    expect(compareSpecs('input', [x], [{ ...x, shape: ['batch', 64] }], true)).toEqual([
      'input x has shape [batch, 64], expected [batch, 64, 2]',
    ]);
  });

  it('reports wrong element types, missing tensors and extra inputs; extra outputs are fine', () => {
    const extra = { ...x, name: 'mask' };
    expect(compareSpecs('input', [x], [{ ...x, elemType: 'DOUBLE' }, extra], true)).toEqual([
      'input x is DOUBLE, expected FLOAT',
      'unexpected input mask',
    ]);
    expect(compareSpecs('output', [x], [extra], false)).toEqual(['output x missing (model has mask)']);
    expect(compareSpecs('output', [x], [x, extra], false)).toEqual([]);
  });
});

describe('assessInference', () => {
  const limits = { ...modelHealthDefaults };

  it('passes accurate, calibrated, finite predictions and summarizes them', () => {
    const check = assessInference(goodInference, limits, sha);
    expect(check).toMatchObject({ status: 'PASS', reasons: [] });
    expect(check.summary).toBe('10 samples: relative L2 0.07, 2σ coverage 0.955, p50 0.2 ms, p95 0.5 ms per sample');
  });

  it('fails on NaN/Inf outputs', () => {
    const facts = { ...goodInference, nonFiniteOutputs: { mean: 640 }, relativeL2Error: null, coverage2Sigma: null };
    expect(assessInference(facts, limits, sha).reasons).toEqual(['output mean has 640 NaN/Inf values over 10 samples']);
  });

  it('fails when the relative L2 error is above the limit, not at it', () => {
    expect(assessInference({ ...goodInference, relativeL2Error: 0.1 }, limits, sha).status).toBe('PASS');
    expect(assessInference({ ...goodInference, relativeL2Error: 0.1001 }, limits, sha).reasons).toEqual([
      'relative L2 error 0.1001 is above 0.1',
    ]);
  });

  it('holds coverage to 0.95 ± tolerance on both sides', () => {
    const at = (coverage2Sigma: number) => assessInference({ ...goodInference, coverage2Sigma }, limits, sha);
    expect(at(0.9201).status).toBe('PASS');
    expect(at(0.9799).status).toBe('PASS');
    expect(at(0.985).reasons).toEqual(['2σ coverage 0.985 is outside 0.95 ± 0.03']);
    expect(at(0.91).reasons).toEqual(['2σ coverage 0.91 is outside 0.95 ± 0.03']);
    expect(
      assessInference({ ...goodInference, coverage2Sigma: 0.5 }, { ...limits, coverageTolerance: 0.5 }, sha).status,
    ).toBe('PASS');
  });

  it('ignores coverage for a deterministic model', () => {
    const facts = { ...goodInference, coverage2Sigma: null };
    expect(assessInference(facts, { ...limits, logVarianceOutput: '' }, sha).status).toBe('PASS');
  });

  it('fails when too few samples ran, or the model changed since the integrity check', () => {
    const check = assessInference({ ...goodInference, samples: 3 }, limits, 'd'.repeat(64));
    expect(check.reasons).toEqual([
      `the model changed between checks: integrity saw sha256 ${'d'.repeat(64)}, inference ran ${sha}`,
      'only 3 of 10 samples in the validation set',
    ]);
  });
});

describe('overallModelHealth', () => {
  it('is PASS only when every check passed', () => {
    const pass = assessIntegrity(goodIntegrity, expectations);
    const inference = assessInference(goodInference, modelHealthDefaults, sha);
    expect(overallModelHealth({ integrity: pass, inference })).toBe('PASS');
    expect(overallModelHealth({ integrity: pass, inference: checkSkipped('inference', 'x') })).toBe('FAIL');
    expect(overallModelHealth({ integrity: { ...pass, status: 'FAIL' }, inference })).toBe('FAIL');
  });
});

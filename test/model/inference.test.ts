// The inference activity on real ONNX Runtime: facts for the good model and each broken variant,
// and clear permanent failures for validation data it cannot use.
import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createModelActivities, type InferenceInput } from '../../activities/model/index.ts';
import { FailureType } from '../../types/index.ts';
import { fixture, goodModel, validationSet } from './fixtures.ts';

const { runModelInference } = createModelActivities({ defaultValidationSetPath: validationSet });

const request = (model: string, overrides: Partial<InferenceInput> = {}): InferenceInput => ({
  source: { kind: 'file', path: model },
  validationSetPath: '',
  samples: 10,
  meanOutput: 'mean',
  logVarianceOutput: 'log_variance',
  ...overrides,
});

describe('runModelInference', () => {
  it('measures the good model: finite, accurate, calibrated, with latencies', async () => {
    const facts = await runModelInference(request(goodModel));
    expect(facts).toMatchObject({ model: `file:${goodModel}`, samples: 10, targets: 640, nonFiniteOutputs: {} });
    expect(facts.sha256).toBe(
      createHash('sha256')
        .update(await readFile(goodModel))
        .digest('hex'),
    );
    // y was drawn as mean + σ·N(0,1) with σ ≈ 4% of the mean's RMS: the values the generator aimed at.
    expect(facts.relativeL2Error).toBeGreaterThan(0.03);
    expect(facts.relativeL2Error).toBeLessThan(0.1);
    expect(facts.coverage2Sigma).toBeGreaterThan(0.92);
    expect(facts.coverage2Sigma).toBeLessThan(0.98);
    expect(facts.loadMs).toBeGreaterThan(0);
    expect(facts.latencyMs.p50).toBeGreaterThan(0);
    expect(facts.latencyMs.p50).toBeLessThanOrEqual(facts.latencyMs.p95);
    expect(facts.latencyMs.p95).toBeLessThanOrEqual(facts.latencyMs.max);
  });

  it('counts NaN/Inf outputs and reports no metrics over them', async () => {
    const facts = await runModelInference(request(fixture('pno_nan_weights.onnx')));
    expect(facts.nonFiniteOutputs).toEqual({ mean: 640, log_variance: 640 });
    expect(facts.relativeL2Error).toBeNull();
    expect(facts.coverage2Sigma).toBeNull();
  });

  it('measures the over-confident model: right mean, far too few targets inside 2σ', async () => {
    const good = await runModelInference(request(goodModel));
    const facts = await runModelInference(request(fixture('pno_overconfident.onnx')));
    expect(facts.relativeL2Error).toBeCloseTo(good.relativeL2Error!, 6);
    expect(facts.coverage2Sigma).toBeLessThan(0.3);
  });

  it('runs only as many samples as the set holds, and skips coverage for a deterministic model', async () => {
    const facts = await runModelInference(request(goodModel, { samples: 100, logVarianceOutput: '' }));
    expect(facts.samples).toBe(32);
    expect(facts.targets).toBe(32 * 64);
    expect(facts.coverage2Sigma).toBeNull();
  });

  it.each([
    [fixture('validation_wrong_dtype.npz'), "array 'X': dtype <i8 is not supported"],
    [goodModel, 'not an .npz (zip) file'],
    [fixture('bad_arrays.npz'), "array 'X' is missing"],
    [fixture('validation_flat_y.npz'), 'output mean is float32 [64,1] per sample but y is [64]'],
  ])('fails for good on validation set %s', async (path, message) => {
    await expect(runModelInference(request(goodModel, { validationSetPath: path }))).rejects.toMatchObject({
      nonRetryable: true,
      type: FailureType.invalidData,
      message: expect.stringContaining(message),
    });
  });

  it('fails for good when the model lacks a named output', async () => {
    await expect(runModelInference(request(fixture('pno_wrong_io.onnx')))).rejects.toMatchObject({
      nonRetryable: true,
      type: FailureType.invalidModel,
      message: 'model has no output log_variance (it has mean, variance)',
    });
  });

  it('fails for good when the model cannot take the validation inputs', async () => {
    // The 48-point model asked to run the 64-point validation set.
    await expect(
      runModelInference(request(fixture('pno_wrong_io.onnx'), { logVarianceOutput: '' })),
    ).rejects.toMatchObject({
      nonRetryable: true,
      type: FailureType.invalidModel,
      message: expect.stringMatching(/^ONNX Runtime cannot run sample 0: .*Got: 64 Expected: 48/s),
    });
  });

  it('fails for good on a file ONNX Runtime cannot load', async () => {
    await expect(runModelInference(request(fixture('pno_truncated.onnx')))).rejects.toMatchObject({
      nonRetryable: true,
      type: FailureType.invalidModel,
      message: expect.stringContaining('ONNX Runtime cannot load the model'),
    });
  });

  it('fails for good without a validation set path and no worker default', async () => {
    const bare = createModelActivities({});
    await expect(bare.runModelInference(request(goodModel))).rejects.toMatchObject({
      nonRetryable: true,
      type: FailureType.invalidInput,
      message: expect.stringContaining('PNO_VALIDATION_SET_PATH'),
    });
  });
});

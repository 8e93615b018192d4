// Integrity facts of the committed fixtures, read with the real ONNX schema.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { createModelActivities } from '../../activities/model/index.ts';
import { inspectModelFile } from '../../activities/model/integrity.ts';
import { FailureType } from '../../types/index.ts';
import { workerKube } from '../helpers/kube.ts';
import { modelsOnVolume, serviceCopy } from '../helpers/service.ts';
import { fixture, goodModel } from './fixtures.ts';

const io = (n: number) => ({
  inputs: [{ name: 'x', elemType: 'FLOAT', shape: ['batch', n, 2] }],
  outputs: [
    { name: 'mean', elemType: 'FLOAT', shape: ['batch', n, 1] },
    { name: 'log_variance', elemType: 'FLOAT', shape: ['batch', n, 1] },
  ],
});

describe('inspectModelFile', () => {
  it('reports the good model: digest, versions, inputs, outputs, every float tensor finite', async () => {
    const facts = await inspectModelFile(goodModel, 'good');
    const bytes = await readFile(goodModel);
    expect(facts).toEqual({
      model: 'good',
      sizeBytes: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      irVersion: 8,
      opsetVersion: 17,
      producer: 'pno-fixture-generator',
      ...io(64),
      // 16 FLOAT/FLOAT16/DOUBLE initializers of the PNO plus 3 GELU constants; axis_2 is INT64.
      tensorsChecked: 19,
      nonFinite: [],
      unchecked: [],
    });
  });

  it('names the initializers holding NaN or Inf, in FLOAT raw_data and FLOAT16 int32_data', async () => {
    const facts = await inspectModelFile(fixture('pno_nan_weights.onnx'), 'nan');
    expect(facts.nonFinite).toEqual([
      { name: 'spectral_w_re', elemType: 'FLOAT', nan: 3, inf: 0 },
      { name: 'skip_gate', elemType: 'FLOAT16', nan: 0, inf: 1 },
    ]);
  });

  it('reports the inputs and outputs of a model built for another grid', async () => {
    const facts = await inspectModelFile(fixture('pno_wrong_io.onnx'), 'wrong');
    expect(facts.inputs).toEqual(io(48).inputs);
    expect(facts.outputs?.map((o) => o.name)).toEqual(['mean', 'variance']);
  });

  it('reports a truncated file as unparseable, with its digest', async () => {
    const facts = await inspectModelFile(fixture('pno_truncated.onnx'), 'cut');
    expect(facts.parseError).toBe('index out of range');
    expect(facts.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(facts.inputs).toBeUndefined();
  });

  it('reports a file that is not protobuf at all', async () => {
    const facts = await inspectModelFile(fixture('validation_set.npz'), 'npz');
    expect(facts.parseError).toMatch(/illegal|invalid|not an ONNX model/);
  });

  it('reports a missing file or a directory as facts, not errors', async () => {
    await expect(inspectModelFile('/nonexistent/model.onnx', 'm')).resolves.toEqual({
      model: 'm',
      readError: 'model file not found',
    });
    await expect(inspectModelFile(fixture(''), 'd')).resolves.toEqual({
      model: 'd',
      readError: 'model path is a directory',
    });
  });
});

describe('checkModelIntegrity activity', () => {
  it("uses the worker's model for a file source with an empty path", async () => {
    const { checkModelIntegrity } = createModelActivities({ defaultModelPath: goodModel });
    const facts = await checkModelIntegrity({ source: { kind: 'file', path: '' } });
    expect(facts.model).toBe(`file:${goodModel}`);
    expect(facts.tensorsChecked).toBe(19);
  });

  it('fails for good when no path is given and the worker has no default', async () => {
    const { checkModelIntegrity } = createModelActivities();
    const error = await checkModelIntegrity({ source: { kind: 'file', path: '' } }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ApplicationFailure);
    expect(error).toMatchObject({
      nonRetryable: true,
      type: FailureType.invalidInput,
      message: expect.stringContaining('PNO_MODEL_PATH'),
    });
  });

  it("fails for good on a 'pod' source when the worker has no Kubernetes access", async () => {
    const { checkModelIntegrity } = createModelActivities();
    const source = {
      kind: 'pod' as const,
      namespace: 'production',
      selector: 'app=pno-physics-bench',
      path: '/app/models/pno.onnx',
    };
    await expect(checkModelIntegrity({ source })).rejects.toMatchObject({
      nonRetryable: true,
      type: FailureType.unsupportedSource,
      message: expect.stringContaining('no Kubernetes access'),
    });
  });

  it("checks a 'pod' source as the running pod serves it (copied out of its container over exec)", async () => {
    const namespace = await serviceCopy('integrity');
    await modelsOnVolume(namespace);
    const { checkModelIntegrity } = createModelActivities({ kube: workerKube() });
    const source = {
      kind: 'pod' as const,
      namespace,
      selector: 'app=pno-physics-bench',
      path: '/app/models/pno_model.onnx',
    };
    const facts = await checkModelIntegrity({ source });
    expect(facts.sha256).toBe(
      createHash('sha256')
        .update(await readFile(goodModel))
        .digest('hex'),
    );
    expect(facts.model).toMatch(
      new RegExp(
        `^pod:${namespace}/app=pno-physics-bench:/app/models/pno_model\\.onnx \\(pno-physics-bench-[a-z0-9-]+\\)$`,
      ),
    );
  });

  it("fails for good on an 's3' source when the worker has no S3 client", async () => {
    const { checkModelIntegrity } = createModelActivities();
    await expect(
      checkModelIntegrity({ source: { kind: 's3', bucket: 'models', key: 'pno.onnx' } }),
    ).rejects.toMatchObject({
      nonRetryable: true,
      type: FailureType.unsupportedSource,
    });
  });
});

// modelHealthWorkflow's input schema: defaults, the source union by kind, tensor specs and the
// rules that tie the output names to expectedOutputs.
import { describe, expect, it } from 'vitest';
import { modelHealthDefaults, modelHealthInputSchema } from '../../workflows/model/input.ts';
import { parseInput } from '../../workflows/shared/input.ts';
import { expectRefused, refusal } from './helpers.ts';

const parse = (raw: unknown) => parseInput(modelHealthInputSchema, 'modelHealthWorkflow', raw);
const refused = (raw: unknown) => refusal(modelHealthInputSchema, 'modelHealthWorkflow', raw);

describe('modelHealthWorkflow input', () => {
  it("defaults to the worker's own model and the served PNO's graph", () => {
    expect(parse({})).toEqual({
      source: { kind: 'file', path: '' },
      expectedSha256: '',
      expectedInputs: [{ name: 'x', elemType: 'FLOAT', shape: ['batch', 64, 2] }],
      expectedOutputs: [
        { name: 'mean', elemType: 'FLOAT', shape: ['batch', 64, 1] },
        { name: 'log_variance', elemType: 'FLOAT', shape: ['batch', 64, 1] },
      ],
      validationSetPath: '',
      samples: 10,
      meanOutput: 'mean',
      logVarianceOutput: 'log_variance',
      maxRelativeL2Error: 0.1,
      coverageTolerance: 0.03,
      alert: true,
    });
    expect(modelHealthDefaults).toEqual(parse({}));
  });

  it('accepts each source kind, filling in an empty file path', () => {
    expect(parse({ source: { kind: 'file' } }).source).toEqual({ kind: 'file', path: '' });
    expect(parse({ source: { kind: 's3', bucket: 'pno-models', key: 'models/pno.onnx' } }).source).toEqual({
      kind: 's3',
      bucket: 'pno-models',
      key: 'models/pno.onnx',
    });
    const pod = {
      kind: 'pod',
      namespace: 'production',
      selector: 'app=pno-physics-bench',
      container: 'pno-inference',
      path: '/app/models/pno_model.onnx',
    };
    expect(parse({ source: pod }).source).toEqual(pod);
  });

  it('lowercases the expected digest', () => {
    expect(parse({ expectedSha256: 'AB'.repeat(32) }).expectedSha256).toBe('ab'.repeat(32));
  });

  it.each([
    [{ source: { kind: 'ftp' } }, 'source.kind', 'must be one of file, s3, pod'],
    [{ source: 'file' }, 'source', 'must be an object with a kind'],
    [
      { source: { kind: 'file', path: 'models/pno.onnx' } },
      'source.path',
      'must be an absolute path, or empty for the worker default',
    ],
    [{ source: { kind: 's3', bucket: 'Bad_Bucket', key: 'k' } }, 'source.bucket', 'must be an S3 bucket name'],
    [{ source: { kind: 's3', bucket: 'pno-models', key: '' } }, 'source.key', 'must be a non-empty object key'],
    [{ source: { kind: 'file', path: '', bucket: 'b' } }, 'source.bucket', 'is not a field of a file source'],
    [
      { source: { kind: 'pod', namespace: 'production', selector: 'app=x', path: '' } },
      'source.path',
      'must be an absolute path',
    ],
    [
      { source: { kind: 'pod', namespace: 'Prod', selector: 'app=x', path: '/m' } },
      'source.namespace',
      'must be a Kubernetes name',
    ],
    [{ expectedSha256: 'abc' }, 'expectedSha256', 'must be 64 hex digits'],
    [{ samples: 0 }, 'samples', 'must be an integer from 1 to 10000'],
    [{ samples: 2.5 }, 'samples', 'must be an integer from 1 to 10000'],
    [{ coverageTolerance: -0.1 }, 'coverageTolerance', 'must be a number from 0 to 0.95'],
    [{ maxRelativeL2Error: 0 }, 'maxRelativeL2Error', 'must be a number above 0 up to 10'],
    [{ expectedInputs: [] }, 'expectedInputs', 'must be a non-empty array of {name, elemType, shape}'],
    [
      { expectedInputs: [{ name: 'x', elemType: 'float32', shape: [1] }] },
      'expectedInputs[0].elemType',
      'must be an ONNX element type',
    ],
    [
      { expectedInputs: [{ name: 'x', elemType: 'FLOAT', shape: [1, -1] }] },
      'expectedInputs[0].shape[1]',
      'must be a fixed size (an integer, 0 or more) or a dynamic name',
    ],
    [
      { expectedInputs: [{ name: 'x', elemType: 'FLOAT', shape: 'batch' }] },
      'expectedInputs[0].shape',
      'must be an array of fixed sizes (integers) and dynamic names (strings)',
    ],
    [
      { expectedInputs: [{ name: 'x', elemType: 'FLOAT', shape: [1], dtype: 'f' }] },
      'expectedInputs[0].dtype',
      'is not a field of a tensor spec',
    ],
    [{ validationSetPath: 'data/val.npz' }, 'validationSetPath', 'must be an absolute path'],
    [{ meanOutput: 'mu' }, 'meanOutput', 'must name one of expectedOutputs (mean, log_variance)'],
    [
      { logVarianceOutput: 'var' },
      'logVarianceOutput',
      'must name one of expectedOutputs (mean, log_variance) or be empty',
    ],
    [
      { expectedOutputs: [{ name: 'mu', elemType: 'FLOAT', shape: [1] }] },
      'meanOutput',
      'must name one of expectedOutputs (mu)',
    ],
    [{ colour: 'blue' }, 'colour', "is not a field of modelHealthWorkflow's input"],
  ])('refuses %j, naming %s', (raw, field, rule) => expectRefused(refused(raw), field, rule));

  it('allows a deterministic model without a variance output', () => {
    expect(
      parse({ logVarianceOutput: '', expectedOutputs: [{ name: 'mean', elemType: 'FLOAT', shape: ['batch', 64, 1] }] })
        .logVarianceOutput,
    ).toBe('');
  });
});

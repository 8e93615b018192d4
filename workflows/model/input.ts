// modelHealthWorkflow's input: defaults that check the worker's own model with `--input '{}'`, and
// rules that name the field.
import { z } from 'zod';
import { onnxElemTypes } from '../../types/index.ts';
import { boolean, integer, kubeName, nestedObject, selector, workerPath, workerPathOrEmpty } from '../shared/fields.ts';
import { defaultsOf, inputObject } from '../shared/input.ts';

const sourceRules = (kind: string) => ({
  unknownKey: `is not a field of a ${kind} source`,
  notObject: 'must be an object with a kind',
});
const bucketRule = 'must be an S3 bucket name (3-63 lowercase letters, digits, . and -)';
const keyRule = 'must be a non-empty object key';

/** Where the model comes from, by `kind`; the shape of ModelSource. */
const modelSource = z.discriminatedUnion(
  'kind',
  [
    nestedObject({ kind: z.literal('file'), path: workerPathOrEmpty.default('') }, sourceRules('file')),
    nestedObject(
      {
        kind: z.literal('s3'),
        bucket: z.string({ error: bucketRule }).regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { error: bucketRule }),
        key: z.string({ error: keyRule }).min(1, { error: keyRule }).max(1024, { error: keyRule }),
      },
      sourceRules('s3'),
    ),
    nestedObject(
      { kind: z.literal('pod'), namespace: kubeName, selector, container: kubeName.optional(), path: workerPath },
      sourceRules('pod'),
    ),
  ],
  {
    error: (issue) =>
      issue.code === 'invalid_union' ? 'must be one of file, s3, pod' : 'must be an object with a kind',
  },
);

const dimensionRule = 'must be an array of fixed sizes (integers) and dynamic names (strings)';
const dimension = { error: 'must be a fixed size (an integer, 0 or more) or a dynamic name (a non-empty string)' };
const elemTypeRule = `must be an ONNX element type (${onnxElemTypes.join(', ')})`;

const tensorSpec = nestedObject(
  {
    name: z.string({ error: 'must be a non-empty string' }).min(1, { error: 'must be a non-empty string' }),
    elemType: z.enum(onnxElemTypes, { error: elemTypeRule }),
    shape: z.array(z.union([z.int(dimension).min(0, dimension), z.string(dimension).min(1, dimension)], dimension), {
      error: dimensionRule,
    }),
  },
  { unknownKey: 'is not a field of a tensor spec', notObject: 'must be an object {name, elemType, shape}' },
);

const tensorSpecsRule = 'must be a non-empty array of {name, elemType, shape}';
const tensorSpecs = z
  .array(tensorSpec, { error: tensorSpecsRule })
  .min(1, { error: tensorSpecsRule })
  .meta({ rule: tensorSpecsRule });

function boundedNumber(min: number, max: number, minIncluded: boolean) {
  const rule = `must be a number ${minIncluded ? 'from' : 'above'} ${min} ${minIncluded ? 'to' : 'up to'} ${max}`;
  const number = z.number({ error: rule });
  return (minIncluded ? number.min(min, { error: rule }) : number.gt(min, { error: rule }))
    .max(max, { error: rule })
    .meta({ rule });
}

const gridSpec = (name: string, channels: number) => ({
  name,
  elemType: 'FLOAT' as const,
  shape: ['batch', 64, channels],
});
const sha256Rule = 'must be 64 hex digits, or empty to skip the digest check';

/** Defaults describe the served PNO: x [batch, 64, 2] → mean and log_variance [batch, 64, 1]. */
export const modelHealthInputSchema = inputObject({
  source: modelSource
    .meta({
      rule: 'must be {"kind": "file", "path"}, {"kind": "s3", "bucket", "key"} or {"kind": "pod", "namespace", "selector", "container"?, "path"}',
    })
    .default({ kind: 'file', path: '' })
    .describe("Where the model comes from; a `file` source with an empty path means the worker's PNO_MODEL_PATH."),
  expectedSha256: z
    .string({ error: sha256Rule })
    .regex(/^([0-9a-fA-F]{64})?$/, { error: sha256Rule })
    .overwrite((digest) => digest.toLowerCase())
    .meta({ rule: sha256Rule })
    .default('')
    .describe('Expected SHA-256 of the model file (hex); empty skips the digest check.'),
  expectedInputs: tensorSpecs
    .default([gridSpec('x', 2)])
    .describe('Graph inputs the service feeds; a string dimension means "dynamic" (e.g. the batch).'),
  expectedOutputs: tensorSpecs
    .default([gridSpec('mean', 1), gridSpec('log_variance', 1)])
    .describe('Graph outputs the service reads; the model may have more.'),
  validationSetPath: workerPathOrEmpty
    .default('')
    .describe("A .npz with arrays X and y on the worker; empty means the worker's PNO_VALIDATION_SET_PATH."),
  samples: integer(1, 10_000)
    .default(10)
    .describe('The first N samples are run, one at a time (the guide runs `X_test[:10]`).'),
  meanOutput: z
    .string({ error: 'must name one of expectedOutputs' })
    .meta({ rule: 'must name one of expectedOutputs' })
    .default('mean')
    .describe('Output holding the predicted mean.'),
  logVarianceOutput: z
    .string({ error: 'must name one of expectedOutputs or be empty' })
    .meta({ rule: 'must name one of expectedOutputs or be empty' })
    .default('log_variance')
    .describe('Output holding log σ²; empty for a deterministic model (no coverage check).'),
  maxRelativeL2Error: boundedNumber(0, 10, false)
    .default(0.1)
    .describe('The largest mean relative L2 error of the predicted mean against y that passes.'),
  coverageTolerance: boundedNumber(0, 0.95, true)
    .default(0.03)
    .describe(
      'Pass when |coverage of mean ± 2σ − 0.95| ≤ this. Kept under 0.05 by default so the upper side bites too: coverage near 1.0 means intervals too wide to be useful.',
    ),
  alert: boolean
    .default(true)
    .describe(
      'Alert (`model_validation_failure`) when the check fails and resolve it when it passes; false for callers that act on the result themselves.',
    ),
}).superRefine((input, ctx) => {
  const outputs = input.expectedOutputs.map((t) => t.name);
  const among = `one of expectedOutputs (${outputs.join(', ')})`;
  if (!outputs.includes(input.meanOutput))
    ctx.addIssue({ code: 'custom', path: ['meanOutput'], message: `must name ${among}` });
  if (input.logVarianceOutput !== '' && !outputs.includes(input.logVarianceOutput)) {
    ctx.addIssue({ code: 'custom', path: ['logVarianceOutput'], message: `must name ${among} or be empty` });
  }
});
export type ModelHealthInput = z.input<typeof modelHealthInputSchema>;
export type ParsedModelHealthInput = z.output<typeof modelHealthInputSchema>;
export const modelHealthDefaults = defaultsOf(modelHealthInputSchema);

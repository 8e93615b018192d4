// modelHealthWorkflow end to end on the real dev server with the real model activities: ONNX
// Runtime, the committed fixtures, and the local MinIO for the S3 source.
import { readFile } from 'node:fs/promises';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { WorkflowFailedError, type Client } from '@temporalio/client';
import type { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlertActivities } from '../../activities/alerts/index.ts';
import { createModelActivities } from '../../activities/model/index.ts';
import { FailureType, type ModelHealthReport } from '../../types/index.ts';
import { modelHealthWorkflow, type ModelHealthInput } from '../../workflows/index.ts';
import { progressQuery } from '../../workflows/shared/progress.ts';
import { workerKube } from '../helpers/kube.ts';
import { freshBucket, testS3 } from '../helpers/s3.ts';
import { historyEvents, withWorker } from '../helpers/temporal.ts';
import { startReceiver, type Receiver } from '../alerts/receiver.ts';
import { fixture, goodModel, validationSet } from './fixtures.ts';

let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(() => receiver.close());

const activities = () => ({
  ...createModelActivities({
    defaultModelPath: goodModel,
    defaultValidationSetPath: validationSet,
    s3: testS3(),
    kube: workerKube(),
  }),
  ...createAlertActivities({ webhookUrl: receiver.url }),
});
let runs = 0;
const workflowId = (name: string) => `model-health-${name}-${Date.now()}-${runs++}`;

/** Runs each input as its own workflow on one worker, concurrently. */
function checkAll(inputs: Record<string, ModelHealthInput>): Promise<Record<string, ModelHealthReport>> {
  return withWorker(activities(), async ({ client, taskQueue }) => {
    const entries = await Promise.all(
      Object.entries(inputs).map(async ([name, input]) => {
        const report = await client.workflow.execute(modelHealthWorkflow, {
          taskQueue,
          workflowId: workflowId(name),
          args: [input],
        });
        return [name, report] as const;
      }),
    );
    return Object.fromEntries(entries);
  });
}

const file = (name: string) => ({ source: { kind: 'file' as const, path: fixture(name) } });

describe('modelHealthWorkflow', () => {
  it("PASSes the worker's own model with --input '{}', and answers the progress query", async () => {
    const { report, progress } = await withWorker(activities(), async ({ client, taskQueue }) => {
      const handle = await client.workflow.start(modelHealthWorkflow, {
        taskQueue,
        workflowId: workflowId('default'),
        args: [{}],
      });
      return { report: await handle.result(), progress: await handle.query(progressQuery) };
    });
    expect(report.status).toBe('PASS');
    expect(report.model).toBe(`file:${goodModel}`);
    expect(report.checks.integrity).toMatchObject({ status: 'PASS', reasons: [] });
    expect(report.checks.inference).toMatchObject({ status: 'PASS', reasons: [], facts: { samples: 10 } });
    expect(report.checks.inference.facts?.sha256).toBe(report.checks.integrity.facts?.sha256);
    expect(progress).toEqual({ phase: 'done', stepsDone: 2, stepsTotal: 2 });
  });

  it('PASSes the model fetched from S3', async () => {
    const bucket = await freshBucket('model');
    await testS3().send(new PutObjectCommand({ Bucket: bucket, Key: 'pno.onnx', Body: await readFile(goodModel) }));
    const { s3 } = await checkAll({ s3: { source: { kind: 's3', bucket, key: 'pno.onnx' } } });
    expect(s3).toMatchObject({ status: 'PASS', model: `s3://${bucket}/pno.onnx` });
  });

  it('FAILs each broken model or input data with the right reasons', async () => {
    const reports = await checkAll({
      nan: file('pno_nan_weights.onnx'),
      wrongIo: file('pno_wrong_io.onnx'),
      truncated: file('pno_truncated.onnx'),
      missing: { source: { kind: 'file', path: '/nonexistent/pno.onnx' } },
      digest: { expectedSha256: '0'.repeat(64) },
      overconfident: file('pno_overconfident.onnx'),
      wrongDtype: { validationSetPath: fixture('validation_wrong_dtype.npz') },
      pod: {
        source: {
          kind: 'pod',
          namespace: 'production',
          selector: 'app=pno-physics-bench',
          path: '/app/models/no-such-model.onnx',
        },
      },
    });
    for (const report of Object.values(reports)) expect(report.status).toBe('FAIL');
    const integrity = (name: string) => reports[name]!.checks.integrity;
    const inference = (name: string) => reports[name]!.checks.inference;

    expect(integrity('nan').reasons).toEqual([
      'initializer spectral_w_re (FLOAT) holds 3 NaN and 0 Inf values',
      'initializer skip_gate (FLOAT16) holds 0 NaN and 1 Inf values',
    ]);
    expect(inference('nan')).toMatchObject({ status: 'SKIPPED', reasons: ['the integrity check failed'] });
    expect(integrity('wrongIo').reasons).toEqual([
      'input x has shape [batch, 48, 2], expected [batch, 64, 2]',
      'output mean has shape [batch, 48, 1], expected [batch, 64, 1]',
      'output log_variance missing (model has mean, variance)',
    ]);
    expect(integrity('truncated').reasons).toEqual(['not a valid ONNX model: index out of range']);
    expect(integrity('missing').reasons).toEqual(['model file not found']);
    expect(integrity('digest').reasons).toEqual([
      expect.stringMatching(/^sha256 [0-9a-f]{64} does not match the expected 0{64}$/),
    ]);
    expect(integrity('overconfident').status).toBe('PASS');
    expect(inference('overconfident').reasons).toEqual([
      expect.stringMatching(/^2σ coverage 0\.1\d* is outside 0\.95 ± 0\.03$/),
    ]);
    expect(inference('wrongDtype')).toMatchObject({
      status: 'FAIL',
      reasons: [expect.stringContaining("array 'X': dtype <i8 is not supported")],
    });
    // The kubelet reports the exit code of the container's tar (busybox: 1, "No such file or directory").
    expect(integrity('pod').reasons).toEqual([
      expect.stringMatching(/tar exited 1: tar: no-such-model\.onnx: No such file or directory/),
    ]);
    expect(reports.pod!.model).toBe('pod:production/app=pno-physics-bench:/app/models/no-such-model.onnx');
  });

  it('alerts model_validation_failure when a model fails and resolves it when it passes; not with alert: false', async () => {
    const path = fixture('pno_nan_weights.onnx');
    // Only what this test sends: other tests check the same models.
    const since = receiver.requests.length;
    const alertsFor = (model: string) =>
      receiver.requests
        .slice(since)
        .map((r) => r.body as { type: string; status: string; dedupKey: string; severity: string; summary: string })
        .filter((b) => b.dedupKey === `model-health:${model}`);
    const failed = await checkAll({ nan: { source: { kind: 'file', path } } });
    const model = failed.nan!.identity!;
    expect(alertsFor(model)).toEqual([
      expect.objectContaining({ type: 'model_validation_failure', status: 'firing', severity: 'critical' }),
    ]);
    expect(alertsFor(model)[0]!.summary).toMatch(/failed its health check: integrity: initializer spectral_w_re/);
    // Quiet when the caller acts on the result itself (disaster recovery, the security update).
    await checkAll({ quiet: { source: { kind: 'file', path }, alert: false } });
    expect(alertsFor(model)).toHaveLength(1);

    const passed = await checkAll({ good: { source: { kind: 'file', path: goodModel } } });
    expect(alertsFor(passed.good!.identity!)).toEqual([
      expect.objectContaining({ type: 'model_validation_failure', status: 'resolved' }),
    ]);
  });

  it('fails at once, without retrying or running an activity, on bad input naming the field', async () => {
    const cases: [unknown, string][] = [
      [{ source: { kind: 'ftp' } }, 'source.kind'],
      [{ source: { kind: 'file', path: 'models/pno.onnx' } }, 'source.path'],
      [{ source: { kind: 's3', bucket: 'Bad_Bucket', key: 'k' } }, 'source.bucket'],
      [{ source: { kind: 'file', path: '', bucket: 'b' } }, 'source.bucket'],
      [{ expectedSha256: 'abc' }, 'expectedSha256'],
      [{ samples: 0 }, 'samples'],
      [{ coverageTolerance: -0.1 }, 'coverageTolerance'],
      [{ maxRelativeL2Error: 0 }, 'maxRelativeL2Error'],
      [{ expectedInputs: [{ name: 'x', elemType: 'float32', shape: [1] }] }, 'expectedInputs[0].elemType'],
      [{ meanOutput: 'mu' }, 'meanOutput'],
      [{ colour: 'blue' }, 'colour'],
    ];
    const outcomes = await withWorker(activities(), ({ client, taskQueue }) =>
      Promise.all(cases.map(([input, field]) => failure(client, taskQueue, input, field))),
    );
    for (const [i, { error, types, attempts }] of outcomes.entries()) {
      const field = cases[i]![1];
      expect(error, field).toBeInstanceOf(WorkflowFailedError);
      const cause = (error as WorkflowFailedError).cause as ApplicationFailure;
      expect(cause.type, field).toBe(FailureType.invalidInput);
      expect(cause.nonRetryable, field).toBe(true);
      expect(cause.message, field).toContain(`invalid input: ${field} `);
      expect(attempts, field).toEqual([1]);
      expect(types, field).not.toContain('EVENT_TYPE_ACTIVITY_TASK_SCHEDULED');
      expect(types.at(-1), field).toBe('EVENT_TYPE_WORKFLOW_EXECUTION_FAILED');
    }
  });
});

async function failure(client: Client, taskQueue: string, input: unknown, field: string) {
  const id = workflowId(`bad-${field.replace(/\W/g, '-')}`);
  const error = await client.workflow
    .execute(modelHealthWorkflow, { taskQueue, workflowId: id, args: [input as ModelHealthInput] })
    .then(
      () => undefined,
      (err: unknown) => err,
    );
  const events = await historyEvents(client, id);
  return {
    error,
    types: events.map((e) => e.typeName),
    attempts: events
      .filter((e) => e.typeName === 'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED')
      .map((e) => e.workflowTaskScheduledEventAttributes?.attempt),
  };
}

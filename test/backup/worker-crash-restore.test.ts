// A worker SIGKILLed in the middle of a recovery, while it copies the models into the restored pods:
// another worker, with a stage of its own (as on another machine), takes the step over after the
// heartbeat timeout, stages the backup again pinned to the same ETag, and completes the recovery.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
// @temporalio/proto is CommonJS; its namespace object is the default export under ESM.
import proto from '@temporalio/proto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/index.ts';
import { startInferenceApi, type InferenceApi } from '../../stack/inference-api.ts';
import { backupWorkflow, disasterRecoveryWorkflow } from '../../workflows/index.ts';
import { workerKube } from '../helpers/kube.ts';
import { replayRuns } from '../helpers/replay-runs.ts';
import { testS3 } from '../helpers/s3.ts';
import { MODELS_MOUNT, modelsOnVolume, modelsVolume, serviceCopy, sha256InPods } from '../helpers/service.ts';
import { historyEvents, testClient, withWorker } from '../helpers/temporal.ts';
import { waitFor } from '../helpers/wait.ts';
import { validationSet } from '../model/fixtures.ts';
import { killAll, largeModel, startCrashWorker } from './crash-workers.ts';
import { backupSetup } from './fixtures.ts';

let api: InferenceApi;
beforeAll(async () => {
  api = await startInferenceApi();
});
afterAll(() => api.close());
afterEach(killAll);

const sha256Of = async (path: string) => {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
};

describe('a worker killed mid-restore', () => {
  it(
    'another worker completes the recovery: models byte-identical, the backup staged once by each worker',
    { timeout: 300_000 },
    async () => {
      const setup = await backupSetup(api.url);
      const namespace = await serviceCopy('crash-dr');
      await modelsOnVolume(namespace);
      await largeModel(await modelsVolume(namespace));
      const largeSha = await sha256Of(join(await modelsVolume(namespace), 'large-weights.bin'));
      const taskQueue = `crash-dr-${Date.now()}`;
      const workflowId = `dr-crash-${Date.now()}`;

      const client = await testClient();
      const backup = await withWorker(
        setup.activities,
        ({ client: c }) =>
          c.workflow.execute(backupWorkflow, {
            taskQueue,
            workflowId: `backup-${namespace}`,
            args: [{ namespace, prefix: setup.prefix, components: ['resources', 'models'] }],
          }),
        { taskQueue },
      );
      const { child, exited } = await startCrashWorker({
        taskQueue,
        bucket: setup.bucket,
        keyBytes: setup.keyBytes,
        stageDir: await mkdtemp(join(tmpdir(), 'pno-crash-stage-')),
      });
      const handle = await client.workflow.start(disasterRecoveryWorkflow, {
        taskQueue,
        workflowId,
        args: [{ backupKey: backup.key, targetNamespace: namespace, force: true }],
      });
      // The copy into the pods has been picked up by the first worker (started, not just scheduled).
      const running = proto.temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED;
      await waitFor(
        'the first worker to be copying models',
        async () => {
          const pending = (await handle.describe()).raw.pendingActivities ?? [];
          const copy = pending.find((a) => a.activityType?.name === 'restoreModels');
          return copy?.state === running ? true : undefined;
        },
        120_000,
      );
      child.kill('SIGKILL');
      await exited;

      // The second worker, stage of its own: it must stage again, and read the very same object.
      const second = createActivities({
        kube: workerKube(),
        http: { defaultApiBaseUrl: api.url },
        model: { defaultValidationSetPath: validationSet, kube: workerKube() },
        storage: { s3: testS3(), bucket: setup.bucket, backupKey: setup.backupKey },
        restoreStage: { dir: await mkdtemp(join(tmpdir(), 'pno-second-stage-')) },
      });
      const report = await withWorker(second, () => handle.result(), { taskQueue });
      expect(report.model).toBe('PASS');
      const sums = Object.values(await sha256InPods(namespace, `${MODELS_MOUNT}/large-weights.bin`));
      expect(sums.length).toBeGreaterThan(0);
      expect(sums).toEqual(sums.map(() => largeSha));
      // Staged by the killed worker, then once more by the one that finished: never once per step.
      // What one staging reads: the archive and every piece it names (the large model's 30).
      const object = await testS3().send(new HeadObjectCommand({ Bucket: setup.bucket, Key: backup.key }));
      const pieces = await testS3().send(
        new ListObjectsV2Command({ Bucket: setup.bucket, Prefix: `${setup.prefix}/pieces/` }),
      );
      expect(pieces.Contents).toHaveLength(30);
      const pieceBytes = (pieces.Contents ?? []).reduce((sum, o) => sum + (o.Size ?? 0), 0);
      expect(report.downloadedBytes).toBe(2 * (object.ContentLength! + pieceBytes));

      const events = await historyEvents(client, workflowId);
      const scheduled = events.find(
        (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'restoreModels',
      );
      const started = events.find(
        (e) => String(e.activityTaskStartedEventAttributes?.scheduledEventId) === String(scheduled?.eventId),
      );
      expect(started?.activityTaskStartedEventAttributes?.attempt).toBe(2);
      const replays = await replayRuns(client, workflowId, [(await handle.describe()).runId]);
      expect(replays.map((r) => r.error)).toEqual([undefined]);
    },
  );
});

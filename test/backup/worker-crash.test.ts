// A worker SIGKILLed in the middle of an upload: another worker takes the activity over after the
// heartbeat timeout, and the backup ends as exactly one complete, verifiable object, reusing the
// pieces the killed attempt had stored.
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it } from 'vitest';
import { backupWorkflow } from '../../workflows/index.ts';
import { testS3 } from '../helpers/s3.ts';
import { historyEvents, testClient, withWorker } from '../helpers/temporal.ts';
import { modelsOnVolume, modelsVolume, serviceCopy } from '../helpers/service.ts';
import { killAll, largeModel, startCrashWorker } from './crash-workers.ts';
import { backupSetup } from './fixtures.ts';

// A failed or timed-out test must not leave its worker process behind.
afterEach(killAll);

describe('a worker killed mid-upload', () => {
  it('another worker completes the backup: one object, verified', { timeout: 300_000 }, async () => {
    const setup = await backupSetup('http://127.0.0.1:1');
    const namespace = await serviceCopy('crash');
    await modelsOnVolume(namespace);
    await largeModel(await modelsVolume(namespace));
    const taskQueue = `crash-${Date.now()}`;
    const workflowId = `backup-crash-${Date.now()}`;

    const { child, exited } = await startCrashWorker({ taskQueue, bucket: setup.bucket, keyBytes: setup.keyBytes });

    const client = await testClient();
    const handle = await client.workflow.start(backupWorkflow, {
      taskQueue,
      workflowId,
      args: [{ namespace, prefix: setup.prefix, components: ['models'] }],
    });
    // Mid-upload, seen from the store: the model's first pieces are stored. Then kill the worker without warning.
    for (;;) {
      const stored = await testS3().send(
        new ListObjectsV2Command({ Bucket: setup.bucket, Prefix: `${setup.prefix}/pieces/` }),
      );
      if ((stored.Contents ?? []).length > 0) break;
      expect(child.exitCode, 'the first worker died before uploading').toBeNull();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    child.kill('SIGKILL');
    await exited;

    const result = await withWorker(setup.activities, async () => handle.result(), { taskQueue });
    expect(result.verified.entries).toBe(result.entries);
    expect(result.entries).toBe(3);
    const listed = await testS3().send(
      new ListObjectsV2Command({ Bucket: setup.bucket, Prefix: `${setup.prefix}/`, Delimiter: '/' }),
    );
    expect(listed.Contents?.map((o) => o.Key)).toEqual([result.key]);
    // The 120 MiB model is 30 pieces: what the killed attempt stored, the next one did not upload again.
    expect(result.pieces.reused).toBeGreaterThan(0);
    expect(result.pieces.stored + result.pieces.reused).toBe(30);
    // The upload ran twice: the killed attempt and the one that completed.
    const events = await historyEvents(client, workflowId);
    const scheduled = events.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'createBackup');
    const started = events.find(
      (e) => String(e.activityTaskStartedEventAttributes?.scheduledEventId) === String(scheduled?.eventId),
    );
    expect(started?.activityTaskStartedEventAttributes?.attempt).toBe(2);
  });
});

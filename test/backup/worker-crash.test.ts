// A worker SIGKILLed in the middle of an upload: another worker takes the activity over after the
// heartbeat timeout, and the backup ends as exactly one complete, verifiable object.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { ListMultipartUploadsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { backupWorkflow } from '../../workflows/index.ts';
import { testS3 } from '../helpers/s3.ts';
import { historyEvents, testClient, withWorker } from '../helpers/temporal.ts';
import { modelsOnVolume, modelsVolume, serviceCopy } from '../helpers/service.ts';
import { backupSetup } from './fixtures.ts';

/** 120 MB of incompressible "weights", written in pieces (never held whole in memory). */
async function largeModel(dir: string) {
  const pieces = function* () {
    for (let i = 0; i < 120; i++) yield randomBytes(1024 * 1024);
  };
  await pipeline(Readable.from(pieces()), createWriteStream(join(dir, 'large-weights.bin')));
}

const children: ReturnType<typeof spawn>[] = [];
// A failed or timed-out test must not leave its worker process behind.
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

describe('a worker killed mid-upload', () => {
  it('another worker completes the backup: one object, verified', { timeout: 300_000 }, async () => {
    const setup = await backupSetup('http://127.0.0.1:1');
    const namespace = await serviceCopy('crash');
    await modelsOnVolume(namespace);
    await largeModel(await modelsVolume(namespace));
    const taskQueue = `crash-${Date.now()}`;
    const workflowId = `backup-crash-${Date.now()}`;

    const child = spawn(process.execPath, [new URL('./crash-worker.ts', import.meta.url).pathname], {
      env: {
        ...process.env,
        PNO_CRASH_WORKER: JSON.stringify({
          address: inject('temporalAddress'),
          namespace: inject('temporalNamespace'),
          taskQueue,
          bundle: inject('workflowBundlePath'),
          kubeconfig: inject('workerKubeconfig'),
          s3: inject('s3'),
          bucket: setup.bucket,
          key: setup.keyBytes.toString('base64'),
        }),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    const exited = once(child, 'exit');
    await once(child.stdout!, 'data');

    const client = await testClient();
    const handle = await client.workflow.start(backupWorkflow, {
      taskQueue,
      workflowId,
      args: [{ namespace, prefix: setup.prefix, components: ['models'] }],
    });
    // Mid-upload, seen from the store: a multipart upload is open. Then kill the worker without warning.
    for (;;) {
      const open = await testS3().send(new ListMultipartUploadsCommand({ Bucket: setup.bucket }));
      if ((open.Uploads ?? []).length > 0) break;
      expect(child.exitCode, 'the first worker died before uploading').toBeNull();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    child.kill('SIGKILL');
    await exited;

    const result = await withWorker(setup.activities, async () => handle.result(), { taskQueue });
    expect(result.verified.entries).toBe(result.entries);
    expect(result.entries).toBe(3);
    const listed = await testS3().send(new ListObjectsV2Command({ Bucket: setup.bucket, Prefix: `${setup.prefix}/` }));
    expect(listed.Contents?.map((o) => o.Key)).toEqual([result.key]);
    // The upload ran twice: the killed attempt and the one that completed.
    const events = await historyEvents(client, workflowId);
    const scheduled = events.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'createBackup');
    const started = events.find(
      (e) => String(e.activityTaskStartedEventAttributes?.scheduledEventId) === String(scheduled?.eventId),
    );
    expect(started?.activityTaskStartedEventAttributes?.attempt).toBe(2);
  });
});

// Disaster recovery refuses archives it cannot trust, before touching the cluster, and waits for
// approval before restoring over a namespace that is serving.
import { Readable } from 'node:stream';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { WorkflowFailedError } from '@temporalio/client';
import tar from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MANIFEST_ENTRY, sealTar } from '../../activities/archive/index.ts';
import { backupWorkflow, disasterRecoveryWorkflow } from '../../workflows/index.ts';
import { progressQuery } from '../../workflows/shared/progress.ts';
import { approveUpdate } from '../../workflows/shared/approval.ts';
import { collect, paxHeader, ustarHeader } from '../archive/helpers.ts';
import { startInferenceApi, type InferenceApi } from '../../stack/inference-api.ts';
import { testKube, workerKube } from '../helpers/kube.ts';
import { testS3 } from '../helpers/s3.ts';
import { withWorker } from '../helpers/temporal.ts';
import { modelsOnVolume, serviceCopy } from '../helpers/service.ts';
import { backupSetup } from './fixtures.ts';

let api: InferenceApi;
beforeAll(async () => {
  api = await startInferenceApi();
});
afterAll(() => api.close());

const exists = (name: string) =>
  testKube()
    .core.readNamespace({ name })
    .then(
      () => true,
      () => false,
    );

/** This worker's restore stage: every limit of what may decompress follows from it. */
const STAGE_LIMIT = 32 * 1024 ** 2;

describe('disaster recovery refuses untrusted archives with nothing applied', () => {
  it('a flipped byte, a truncated object, a `../` entry, a huge header, a NaN size and a gzip bomb, sealed with the product key', async () => {
    const setup = await backupSetup(api.url, workerKube(), { restoreStage: { limitBytes: STAGE_LIMIT } });
    const source = await serviceCopy('refuse');
    await modelsOnVolume(source);

    await withWorker(setup.activities, async ({ client, taskQueue }) => {
      const backup = await client.workflow.execute(backupWorkflow, {
        taskQueue,
        workflowId: `backup-${source}`,
        args: [{ namespace: source, prefix: setup.prefix, components: ['resources', 'models'] }],
      });
      const good = Buffer.from(
        await (
          await testS3().send(new GetObjectCommand({ Bucket: setup.bucket, Key: backup.key }))
        ).Body!.transformToByteArray(),
      );

      const flipped = Buffer.from(good);
      flipped[Math.floor(flipped.length / 2)]! ^= 0x01;
      const traversal = await collect(
        sealTar(
          (() => {
            const pack = tar.pack();
            const evil = Buffer.from('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: evil}\n');
            pack.entry({ name: '../resources/ConfigMap/evil.yaml', size: evil.length }, evil);
            pack.entry({ name: MANIFEST_ENTRY }, Buffer.from('{}'));
            pack.finalize();
            return pack as unknown as Readable;
          })(),
          setup.backupKey,
        ).stream,
      );
      const sealed = async (tarBytes: Readable) => collect(sealTar(tarBytes, setup.backupKey).stream);
      const packed = (fill: (pack: tar.Pack) => void) => {
        const pack = tar.pack();
        fill(pack);
        pack.finalize();
        return pack as unknown as Readable;
      };
      // A path of 1 MB: the tar parser would hold its pax header whole in memory.
      const longHeader = await sealed(
        packed((pack) => pack.entry({ name: `models/${'a'.repeat(1024 * 1024)}`, size: 1 }, Buffer.from('x'))),
      );
      // A pax `size=abc`, which the parser reads as NaN.
      const nanSize = await sealed(
        Readable.from([
          Buffer.concat([paxHeader({ size: 'abc' }), ustarHeader('models/pno_model.onnx', 0), Buffer.alloc(1024)]),
        ]),
      );
      // 200 MiB of zeros, a few hundred KB sealed: more than this worker's stage may ever take.
      const bombSize = 200 * 1024 ** 2;
      const gzipBomb = await sealed(
        packed((pack) => {
          const entry = pack.entry({ name: 'cluster/bomb.bin', size: bombSize });
          Readable.from(
            (function* () {
              for (let i = 0; i < bombSize / 65536; i++) yield Buffer.alloc(65536);
            })(),
          ).pipe(entry);
        }),
      );
      const bad = {
        tampered: flipped,
        truncated: good.subarray(0, good.length - 300),
        traversal,
        'long-header': longHeader,
        'nan-size': nanSize,
        'gzip-bomb': gzipBomb,
      };
      const reasons: Record<string, RegExp> = {
        'long-header': /header extension exceeds the 65536-byte limit/,
        'nan-size': /pax size "abc" is not a whole number of bytes/,
        'gzip-bomb': new RegExp(`needs more than ${STAGE_LIMIT} bytes of restore stage`),
      };

      for (const [name, bytes] of Object.entries(bad)) {
        const key = `${setup.prefix}/${name}.tar.gz.enc`;
        await testS3().send(new PutObjectCommand({ Bucket: setup.bucket, Key: key, Body: bytes }));
        const target = `${name}-${source.slice(-8)}`;
        const error = await client.workflow
          .execute(disasterRecoveryWorkflow, {
            taskQueue,
            workflowId: `dr-${target}`,
            args: [{ backupKey: key, targetNamespace: target }],
          })
          .then(
            () => undefined,
            (err: unknown) => err,
          );
        expect(error, name).toBeInstanceOf(WorkflowFailedError);
        const cause = (error as WorkflowFailedError).cause?.cause as
          { type?: string; nonRetryable?: boolean } | undefined;
        expect(cause, name).toMatchObject({
          type: name === 'gzip-bomb' ? 'StageFull' : 'BadArchive',
          nonRetryable: true,
        });
        if (reasons[name]) expect((cause as { message?: string }).message, name).toMatch(reasons[name]);
        // Refused at the verify step (staging): the namespace was never created, nothing was bound.
        expect(await exists(target), name).toBe(false);
        const history = await client.workflow.getHandle(`dr-${target}`).fetchHistory();
        const activityTypes = (history.events ?? [])
          .map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name)
          .filter(Boolean);
        // Before it: the access review, and the binding the worker will need asked as a dry run.
        expect(activityTypes, name).toEqual(['reviewAccess', 'bindOwnRole', 'stageBackup']);
        const bindInput = (history.events ?? []).find(
          (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'bindOwnRole',
        )?.activityTaskScheduledEventAttributes?.input?.payloads?.[0]?.data;
        expect(JSON.parse(Buffer.from(bindInput!).toString()), name).toMatchObject({ dryRun: true });
      }
    });
  });
});

describe('restoring over a serving namespace', () => {
  it('waits for approval, then restores', async () => {
    const setup = await backupSetup(api.url);
    const namespace = await serviceCopy('approve');
    await modelsOnVolume(namespace);

    const report = await withWorker(setup.activities, async ({ client, taskQueue }) => {
      const backup = await client.workflow.execute(backupWorkflow, {
        taskQueue,
        workflowId: `backup-${namespace}`,
        args: [{ namespace, prefix: setup.prefix, components: ['resources', 'models'] }],
      });
      const handle = await client.workflow.start(disasterRecoveryWorkflow, {
        taskQueue,
        workflowId: `dr-${namespace}`,
        args: [{ backupKey: backup.key, targetNamespace: namespace }],
      });
      for (;;) {
        const progress = await handle.query(progressQuery);
        if (progress.phase === 'awaiting approval') break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await expect(
        handle.executeUpdate(approveUpdate, { args: [{ approve: true, by: 'on-call' }] }),
      ).resolves.toMatchObject({ accepted: true });
      return handle.result();
    });
    expect(report.steps.find((s) => s.step === 'approval')).toEqual({
      step: 'approval',
      detail: 'approved by on-call',
    });
    expect(report.model).toBe('PASS');
  });
});

// `pno` as an operator drives it, a process against the real stack (Temporal, MinIO, the real node),
// with a worker polling the configured task queue as the worker's ServiceAccount: a backup under a
// readable id, the catalog with its key id and verification, a restore over a serving namespace
// waiting for approval, listed, rejected (watch exits 1 saying why), then another approved (watch
// exits 0).
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { BackupKey } from '../../activities/archive/keys.ts';
import type { CatalogEntry } from '../../cli/backups.ts';
import type { PendingApproval } from '../../cli/runs.ts';
import { startInferenceApi, type InferenceApi } from '../../stack/inference-api.ts';
import { startReceiver, type Receiver } from '../alerts/receiver.ts';
import { workerKube } from '../helpers/kube.ts';
import { modelsOnVolume, serviceCopy } from '../helpers/service.ts';
import { testClient, withWorker } from '../helpers/temporal.ts';
import { alertsSince, realActivities } from '../routines/helpers.ts';

const pno = fileURLToPath(new URL('../../cli/pno.ts', import.meta.url));

let api: InferenceApi;
let receiver: Receiver;
beforeAll(async () => {
  [api, receiver] = await Promise.all([startInferenceApi(), startReceiver()]);
});
afterAll(() => Promise.all([api.close(), receiver.close()]));

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `pno` with the operator's environment: the server, the bucket and the configuration file. */
function pnoWith(env: Record<string, string>) {
  return (args: string[]) =>
    new Promise<Ran>((resolve) => {
      execFile(process.execPath, [pno, ...args], { env: { PATH: process.env.PATH, ...env } }, (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
}

const json = <T>(ran: Ran): T => {
  expect(ran.code, ran.stderr).toBe(0);
  return JSON.parse(ran.stdout) as T;
};

describe('pno against the stack', () => {
  it('backs up under a readable id, lists it verified, and restores only after approval', async () => {
    const namespace = await serviceCopy('cli');
    // The model the restored pods are checked with, on the copy's models volume.
    await modelsOnVolume(namespace);
    const keyBytes = randomBytes(32);
    const backupKey = new BackupKey(keyBytes);
    const { activities, bucket } = await realActivities({ api, receiver, kube: workerKube(), backupKey });
    const taskQueue = `cli-${randomUUID()}`;
    const dir = await mkdtemp(join(tmpdir(), 'pno-cli-'));
    await writeFile(join(dir, 'pno.yaml'), `taskQueue: ${taskQueue}\n`);
    const s3 = inject('s3');
    const run = pnoWith({
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_NAMESPACE: inject('temporalNamespace'),
      S3_ENDPOINT: s3.endpoint,
      S3_REGION: s3.region,
      S3_BUCKET: bucket,
      AWS_ACCESS_KEY_ID: s3.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
      PNO_CONFIG_FILE: join(dir, 'pno.yaml'),
    });

    await withWorker(
      activities,
      async () => {
        const created = json<{ workflowId: string; key: string; entries: number }>(
          await run(['backup', 'create', '--namespace', namespace, '--wait', '-o', 'json']),
        );
        expect(created.workflowId).toMatch(new RegExp(`^backup-${namespace}-\\d{8}T\\d{6}Z$`));
        expect(created.key).toBe(`pno/backups/${created.workflowId}.tar.gz.enc`);

        const catalog = json<CatalogEntry[]>(await run(['backup', 'list', '-o', 'json']));
        expect(catalog).toEqual([
          expect.objectContaining({
            key: created.key,
            keyId: backupKey.id,
            formatVersion: 2,
            workflowId: created.workflowId,
            verification: 'verified',
          }),
        ]);
        const text = await run(['backup', 'list']);
        expect(text.stdout.split('\n')[0]).toMatch(/^KEY\s+SIZE\s+AGE\s+KEY ID\s+FORMAT\s+VERIFICATION$/);
        expect(text.stdout).toContain(`${backupKey.id}  v2      verified`);

        const described = json<CatalogEntry & { run: { components: string[] } }>(
          await run(['backup', 'describe', 'latest', '-o', 'json']),
        );
        expect(described).toMatchObject({ key: created.key, verification: 'verified', keyId: backupKey.id });
        expect(described.run.components).toContain('resources');

        // Checked here with the key file, fetched as stored, and opened by hand.
        const keyFile = join(dir, 'backup.key');
        await writeFile(keyFile, keyBytes.toString('base64'), { mode: 0o600 });
        const verified = json<{ entries: number; keyId: string; verified: boolean }>(
          await run(['backup', 'verify', 'latest', '--key-file', keyFile, '-o', 'json']),
        );
        expect(verified).toMatchObject({ entries: created.entries, keyId: backupKey.id, verified: true });
        const sealed = join(dir, 'latest.tar.gz.enc');
        const pieces = join(dir, 'pieces');
        expect((await run(['backup', 'download', 'latest', '--out', sealed, '--pieces', pieces])).code).toBe(0);
        const plain = join(dir, 'latest.tar');
        const decrypted = await run([
          'backup',
          'decrypt',
          sealed,
          '--key-file',
          keyFile,
          '--pieces',
          pieces,
          '-o',
          plain,
        ]);
        expect(decrypted.code, decrypted.stderr).toBe(0);
        const listing = await promisify(execFile)('tar', ['-tf', plain]);
        expect(listing.stdout.trim().split('\n').at(-1)).toBe('manifest.json');
        const wrongKey = join(dir, 'other.key');
        await writeFile(wrongKey, randomBytes(32).toString('base64'));
        const refused = await run(['backup', 'verify', created.key, '--key-file', wrongKey]);
        expect(refused.code).toBe(1);
        expect(refused.stderr).toContain('not verified');
        const noReport = await run(['report', 'get', 'routine-daily']);
        expect(noReport.code).toBe(1);
        expect(noReport.stderr).toContain('no routine-daily report under');

        // The namespace serves: a restore over it waits for a person.
        const rejected = await waitingRestore(run, created.key, namespace);
        expect(rejected.detail).toMatch(/^\d+ ready pods in /);
        expect(rejected.approveCommand).toBe(`pno approve ${rejected.workflowId} --by <you>`);
        // It says so where people look: an alert with the command, the Web UI's details, PnoApproval.
        const handle = (await testClient()).workflow.getHandle(rejected.workflowId);
        const approveCommand = `pno approve ${rejected.workflowId} --by <you>`;
        const raised = await vi.waitFor(
          () => {
            const alert = alertsSince(receiver, 0).find(
              (a) => a.dedupKey === `approval:${rejected.workflowId}` && a.status === 'firing',
            );
            expect(alert).toBeDefined();
            return alert!;
          },
          { timeout: 30_000, interval: 200 },
        );
        expect(raised).toMatchObject({ type: 'approval_required', severity: 'warning' });
        expect(raised.summary).toContain(approveCommand);
        expect((await handle.describe()).searchAttributes.PnoApproval).toEqual(['awaiting']);
        const metadata = await handle.query<{ currentDetails: string }>('__temporal_workflow_metadata');
        expect(metadata.currentDetails).toContain('**Waiting for approval**');
        expect(metadata.currentDetails).toContain(approveCommand);
        const decided = await run([
          'restore',
          'reject',
          rejected.workflowId,
          '--by',
          'cli-test',
          '--reason',
          'drill only',
        ]);
        expect(decided.code, decided.stderr).toBe(0);
        const watched = await run(['watch', rejected.workflowId]);
        expect(watched.code).toBe(1);
        expect(watched.stderr).toContain('restore refused by cli-test: drill only');
        expect((await handle.describe()).searchAttributes.PnoApproval).toEqual(['rejected']);
        expect(
          alertsSince(receiver, 0).some(
            (a) => a.dedupKey === `approval:${rejected.workflowId}` && a.status === 'resolved',
          ),
        ).toBe(true);
        // A decided run takes no second decision.
        const again = await run(['approve', rejected.workflowId, '--by', 'someone']);
        expect(again.code).toBe(1);

        const approved = await waitingRestore(run, created.key, namespace);
        expect((await run(['approve', approved.workflowId, '--by', 'cli-test'])).code).toBe(0);
        const done = await run(['watch', approved.workflowId, '-o', 'json']);
        expect(done.code, done.stderr).toBe(0);
        expect(JSON.parse(done.stdout)).toMatchObject({ workflowId: approved.workflowId, status: 'COMPLETED' });
      },
      { taskQueue },
    );
    // A backup and two restores on the real node: a minute idle, more on a loaded machine.
  }, 240_000);
});

/** Starts a restore of `key` over `namespace` and waits until `pno approvals` lists it. */
async function waitingRestore(run: (args: string[]) => Promise<Ran>, key: string, namespace: string) {
  const started = json<{ workflowId: string }>(
    await run(['restore', 'create', '--from', key, '--to', namespace, '-o', 'json']),
  );
  expect(started.workflowId).toMatch(new RegExp(`^restore-${namespace}-\\d{8}T\\d{6}Z$`));
  return vi.waitFor(
    async () => {
      const pending = json<PendingApproval[]>(await run(['approvals', '-o', 'json']));
      const mine = pending.find((p) => p.workflowId === started.workflowId);
      expect(mine).toBeDefined();
      return mine!;
    },
    { timeout: 60_000, interval: 500 },
  );
}

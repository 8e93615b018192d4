// securityUpdateWorkflow on the real dev server with the real Kubernetes activities against the local
// cluster (set image, wait for the rollout, undo), the real model check and report store. The
// rollback and refusal tests scan with the real trivy (image archives, fixture DB); the others stub
// the scanner at the activity boundary. The alert sink is a recorder.
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { WorkflowFailedError } from '@temporalio/client';
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { getRolloutState } from '../../activities/kubernetes/rollout.ts';
import { DEFAULT_SECURITY_POLICY } from '../../types/index.ts';
import { securityUpdateWorkflow, type SecurityUpdateInput } from '../../workflows/index.ts';
import { progressQuery } from '../../workflows/shared/progress.ts';
import { approveSignal, approveUpdate } from '../../workflows/shared/approval.ts';
import { startInferenceApi, type InferenceApi } from '../../stack/inference-api.ts';
import { testKube } from '../helpers/kube.ts';
import { testS3 } from '../helpers/s3.ts';
import { historyEvents, testClient, withWorker } from '../helpers/temporal.ts';
import { fixture, goodModel, validationSet } from '../model/fixtures.ts';
import { host } from '../../stack/kube/host-command.ts';
import {
  deployedService,
  fixed,
  nodeScanner,
  oldImage,
  securityActivities,
  trivyScanner,
  vulnerable,
} from './helpers.ts';
import { patched, running } from './image-archive.ts';

const name = 'pno-physics-bench';
const candidate = 'registry.example.com/pno/pno-inference:1.4.1';
const passingModel = { source: { kind: 'file' as const, path: goodModel }, validationSetPath: validationSet };

let api: InferenceApi;
beforeAll(async () => {
  api = await startInferenceApi();
});
afterAll(() => api.close());

let runs = 0;
const workflowId = (label: string) => `security-update-${label}-${Date.now()}-${runs++}`;
const imageOf = async (namespace: string) =>
  (await getRolloutState(testKube(), namespace, name)).images['pno-inference'];

type Scanner = Awaited<ReturnType<typeof trivyScanner>>;

async function run(
  namespace: string,
  table: Record<string, typeof vulnerable>,
  input: SecurityUpdateInput,
  scanner?: Scanner,
) {
  const env = await securityActivities(api.url, table, scanner);
  const id = workflowId(input.candidateImage?.split(':').at(-1) ?? 'none');
  try {
    const result = await withWorker(env.activities, ({ client, taskQueue }) =>
      client.workflow.execute(securityUpdateWorkflow, {
        taskQueue,
        workflowId: id,
        args: [{ namespace, modelCheck: passingModel, ...input }],
      }),
    );
    return { ...env, result, workflowId: id };
  } finally {
    if (scanner) await rm(scanner.dir, { recursive: true, force: true });
  }
}

describe('securityUpdateWorkflow', () => {
  it('rolls back a candidate whose pods never become Ready: old image again, critical alert', async () => {
    const namespace = await deployedService({ progressDeadlineSeconds: 5 });
    const bad = 'registry.example.com/pno/pno-inference:1.4.1-never-ready';
    const scanner = await trivyScanner({ [oldImage]: running, [bad]: patched });
    const { result, alerts, scanned, bucket } = await run(
      namespace,
      {},
      { candidateImage: bad, rolloutTimeoutMs: 60_000 },
      scanner,
    );

    expect(result.outcome).toBe('ROLLED_BACK');
    expect(result.reasons[0]).toMatch(
      /^rollout of .*never-ready did not complete: rollout exceeded its progress deadline/,
    );
    expect(scanned).toEqual([oldImage, bad]);
    expect(await imageOf(namespace)).toBe(oldImage);
    expect((await getRolloutState(testKube(), namespace, name)).done).toBe(true);
    const rollback = alerts.find((a) => a.type === 'security_update_rolled_back');
    expect(rollback).toMatchObject({
      severity: 'critical',
      service: name,
      details: { restored: true, oldImage, newImage: bad },
    });
    // The criticals were alerted first, and the guide's report is in the bucket under reports/security/.
    expect(alerts[0]).toMatchObject({
      type: 'security_vulnerability',
      severity: 'critical',
      dedupKey: `security-vulnerability:${namespace}/${name}`,
    });
    expect(result.reportKey).toMatch(/^reports\/security\/\d{4}-\d{2}-\d{2}\/security-update-/);
    const stored = await testS3().send(new GetObjectCommand({ Bucket: bucket, Key: result.reportKey }));
    expect(JSON.parse(await stored.Body!.transformToString())).toEqual(result.report);
    // The real scan of the running image: openssl (libssl3, openssl) twice and idna.
    expect(result.report.criticalVulnerabilities).toHaveLength(5);
    expect(result.report.severityBreakdown).toEqual({ CRITICAL: 3, HIGH: 3 });
  });

  it('rolls back a candidate whose ONNX model check fails, after a complete rollout', async () => {
    const namespace = await deployedService();
    const nanModel = {
      source: { kind: 'file' as const, path: fixture('pno_nan_weights.onnx') },
      validationSetPath: validationSet,
    };
    const {
      result,
      alerts,
      workflowId: id,
    } = await run(namespace, { [oldImage]: vulnerable }, { candidateImage: candidate, modelCheck: nanModel });

    expect(result.outcome).toBe('ROLLED_BACK');
    expect(result.reasons.some((r) => /^model integrity: .*NaN/.test(r))).toBe(true);
    expect(await imageOf(namespace)).toBe(oldImage);
    expect(alerts.find((a) => a.type === 'security_update_rolled_back')).toMatchObject({
      severity: 'critical',
      details: { restored: true },
    });
    // The model check ran as a child workflow of the update.
    const events = await historyEvents(await testClient(), id);
    expect(events.some((e) => e.typeName === 'EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED')).toBe(true);
  });

  it('refuses a candidate that still has a critical finding before any change', async () => {
    const namespace = await deployedService();
    // The pipeline updated idna but not openssl: the real scan still finds the openssl criticals.
    const pythonOnly = { ...running, python: patched.python };
    const scanner = await trivyScanner({ [oldImage]: running, [candidate]: pythonOnly });
    const { result, alerts, workflowId: id } = await run(namespace, {}, { candidateImage: candidate }, scanner);

    expect(result.outcome).toBe('CANDIDATE_REFUSED');
    expect([...result.reasons].sort()).toEqual([
      'still has CVE-2024-5535 in libssl3 3.0.11-1~deb12u2 (CRITICAL)',
      'still has CVE-2024-5535 in openssl 3.0.11-1~deb12u2 (CRITICAL)',
      'still has CVE-2024-6119 in libssl3 3.0.11-1~deb12u2 (HIGH)',
      'still has CVE-2024-6119 in openssl 3.0.11-1~deb12u2 (HIGH)',
    ]);
    expect(await imageOf(namespace)).toBe(oldImage);
    expect((await getRolloutState(testKube(), namespace, name)).revision).toBe('1');
    expect(alerts.map((a) => a.type)).toEqual(['security_vulnerability', 'security_update_refused']);
    const scheduled = (await historyEvents(await testClient(), id))
      .filter((e) => e.typeName === 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED')
      .map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name);
    expect(scheduled).not.toContain('setImage');
  });

  it('waits for the approve update, then rolls out, verifies and resolves the alert', async () => {
    const namespace = await deployedService();
    const env = await securityActivities(api.url, { [oldImage]: vulnerable });
    const id = workflowId('approved');
    const { result, early } = await withWorker(env.activities, async ({ client, taskQueue }) => {
      const handle = await client.workflow.start(securityUpdateWorkflow, {
        taskQueue,
        workflowId: id,
        args: [{ namespace, candidateImage: candidate, requireApproval: true, modelCheck: passingModel }],
      });
      await vi.waitFor(async () => expect((await handle.query(progressQuery)).phase).toBe('awaiting approval'), {
        timeout: 30_000,
        interval: 100,
      });
      // Nothing changes while it waits.
      expect(await imageOf(namespace)).toBe(oldImage);
      const answer = await handle.executeUpdate(approveUpdate, { args: [{ approve: true, by: 'oncall@example.com' }] });
      expect(answer).toEqual({ accepted: true, decision: { approve: true, by: 'oncall@example.com' } });
      // A second decision is refused: the first one stands.
      const early = await handle
        .executeUpdate(approveUpdate, { args: [{ approve: false, by: 'someone-else' }] })
        .catch((err: Error) => err);
      return { result: await handle.result(), early };
    });
    expect(early).toBeInstanceOf(Error);
    expect(result).toMatchObject({
      outcome: 'UPDATED',
      candidateImage: candidate,
      approval: { approve: true, by: 'oncall@example.com' },
    });
    expect(await imageOf(namespace)).toBe(candidate);
    expect(env.alerts.at(-1)).toMatchObject({ type: 'security_vulnerability', resolved: true });
    expect(api.hits('/health')).toBeGreaterThan(0);
  });

  it("rolls out the digest trivy scanned in the node's containerd, not the tag, and the pods run it", async () => {
    const namespace = await deployedService();
    const containerd = inject('realNodeContainerd');
    const scanner = await nodeScanner({ [oldImage]: vulnerable }, containerd);
    const { result } = await run(namespace, {}, { candidateImage: candidate, modelCheck: null }, scanner);

    // What the node's containerd has under the candidate's tag is what was scanned and what now runs.
    const listed = await host('ctr', ['--address', containerd, '--namespace', 'k8s.io', 'images', 'list']);
    const digest = listed
      .split('\n')
      .map((row) => row.split(/\s+/))
      .find(([ref]) => ref === candidate)?.[2];
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const pinned = `registry.example.com/pno/pno-inference@${digest}`;
    expect(result).toMatchObject({ outcome: 'UPDATED', candidateImage: candidate, deployedImage: pinned });
    expect(result.reasons.some((r) => r.startsWith('deployed by tag'))).toBe(false);
    expect(await imageOf(namespace)).toBe(pinned);
    expect(await getRolloutState(testKube(), namespace, name)).toMatchObject({ done: true, revision: '2' });
    // With imagePullPolicy Never: the kubelet found the image by that digest on the node.
    const pods = (await testKube().core.listNamespacedPod({ namespace, labelSelector: `app=${name}` })).items.filter(
      (p) => !p.metadata?.deletionTimestamp,
    );
    expect(pods.map((p) => [p.spec?.containers[0]?.image, p.status?.containerStatuses?.[0]?.ready])).toEqual([
      [pinned, true],
      [pinned, true],
    ]);
  });

  it('under the shipped configuration, waits for approval whatever the input says, and refuses a foreign registry unscanned', async () => {
    const namespace = await deployedService();
    const foreign = 'ghcr.io/someone/pno-inference:1.4.1';
    const env = await securityActivities(api.url, { [oldImage]: vulnerable, [candidate]: fixed }, undefined, {
      ...DEFAULT_SECURITY_POLICY,
    });
    const [waited, refused] = await withWorker(env.activities, ({ client, taskQueue }) =>
      Promise.all(
        [
          { candidateImage: candidate, requireApproval: false, approvalTimeoutMs: 1_000 },
          { candidateImage: foreign },
        ].map((input, i) =>
          client.workflow.execute(securityUpdateWorkflow, {
            taskQueue,
            workflowId: workflowId(`shipped-${i}`),
            args: [{ namespace, modelCheck: null, ...input }],
          }),
        ),
      ),
    );
    expect(waited).toMatchObject({ outcome: 'NOT_APPROVED', reasons: ['no decision within 1000 ms'] });
    expect(refused).toMatchObject({
      outcome: 'CANDIDATE_REFUSED',
      reasons: [
        `${foreign} comes from registry ghcr.io, which is not allowed (the running image's registry.example.com, and security.registries: none)`,
      ],
    });
    expect(env.scanned).not.toContain(foreign);
    expect(env.alerts.filter((a) => a.type === 'security_update_refused')).toHaveLength(1);
    expect(await imageOf(namespace)).toBe(oldImage);
  });

  it('changes nothing when the approve signal rejects, or when no decision comes in time', async () => {
    const namespace = await deployedService();
    const env = await securityActivities(api.url, { [oldImage]: vulnerable });
    const [rejected, expired] = await withWorker(env.activities, async ({ client, taskQueue }) => {
      const handle = await client.workflow.start(securityUpdateWorkflow, {
        taskQueue,
        workflowId: workflowId('rejected'),
        args: [{ namespace, candidateImage: candidate, requireApproval: true, modelCheck: null }],
      });
      await vi.waitFor(async () => expect((await handle.query(progressQuery)).phase).toBe('awaiting approval'), {
        timeout: 30_000,
        interval: 100,
      });
      await handle.signal(approveSignal, { approve: false, by: 'change-board', reason: 'freeze week' });
      const timedOut = client.workflow.execute(securityUpdateWorkflow, {
        taskQueue,
        workflowId: workflowId('expired'),
        args: [
          { namespace, candidateImage: candidate, requireApproval: true, approvalTimeoutMs: 1_000, modelCheck: null },
        ],
      });
      return Promise.all([handle.result(), timedOut]);
    });
    expect(rejected).toMatchObject({ outcome: 'NOT_APPROVED', reasons: ['rejected by change-board: freeze week'] });
    expect(expired).toMatchObject({ outcome: 'NOT_APPROVED', reasons: ['no decision within 1000 ms'] });
    expect(await imageOf(namespace)).toBe(oldImage);
    expect((await getRolloutState(testKube(), namespace, name)).revision).toBe('1');
  });

  it('rolls back when cancelled mid-rollout, then reports the cancellation', async () => {
    const namespace = await deployedService();
    const bad = 'registry.example.com/pno/pno-inference:1.4.2-never-ready';
    const env = await securityActivities(api.url, { [oldImage]: vulnerable });
    const outcome = await withWorker(env.activities, async ({ client, taskQueue }) => {
      const handle = await client.workflow.start(securityUpdateWorkflow, {
        taskQueue,
        workflowId: workflowId('cancelled'),
        args: [{ namespace, candidateImage: bad, rolloutTimeoutMs: 600_000, modelCheck: null }],
      });
      await vi.waitFor(async () => expect(await imageOf(namespace)).toBe(bad), { timeout: 30_000, interval: 100 });
      await handle.cancel();
      return handle.result().catch((err: unknown) => err);
    });
    expect(outcome).toBeInstanceOf(WorkflowFailedError);
    expect(await imageOf(namespace)).toBe(oldImage);
    expect(env.alerts.find((a) => a.type === 'security_update_rolled_back')).toMatchObject({
      details: { reasons: ['cancelled'], restored: true },
    });
  });

  it('reports and alerts only when there is no candidate, and says so when the image is clean', async () => {
    const namespace = await deployedService();
    const { result, alerts } = await run(namespace, { [oldImage]: vulnerable }, {});
    expect(result).toMatchObject({ outcome: 'NEEDS_UPDATE', image: oldImage });
    expect(alerts.map((a) => a.severity)).toEqual(['critical']);
    const clean = await run(namespace, { [oldImage]: fixed }, {});
    expect(clean.result.outcome).toBe('UP_TO_DATE');
    expect(clean.alerts).toMatchObject([{ resolved: true, dedupKey: `security-vulnerability:${namespace}/${name}` }]);
    expect(await imageOf(namespace)).toBe(oldImage);
  });

  it('builds the candidate with a Job from the Dockerfile updates, then rolls it out', async () => {
    // On kwok's node: the image a builder would push cannot exist here (nothing can be pulled).
    const namespace = await deployedService({ node: 'simulated' });
    const { result } = await run(
      namespace,
      { [oldImage]: vulnerable },
      {
        imageStep: 'build-job',
        buildRepository: 'registry.example.com/pno/pno-inference',
        modelCheck: null,
      },
    );
    expect(result.outcome).toBe('UPDATED');
    expect(result.candidateImage).toMatch(/^registry\.example\.com\/pno\/pno-inference:security-update-/);
    expect(await imageOf(namespace)).toBe(result.candidateImage);
    const jobName = result.candidateImage!.split(':').at(-1)!;
    const dockerfile = (await testKube().core.readNamespacedConfigMap({ namespace, name: jobName })).data?.Dockerfile;
    expect(dockerfile).toBe(
      [
        `FROM ${oldImage}`,
        'RUN apt-get update && apt-get install -y libssl3=3.0.14-1~deb12u1 openssl=3.0.14-1~deb12u2 && rm -rf /var/lib/apt/lists/*',
        'RUN pip install --upgrade cryptography==43.0.1 idna==3.7',
        '',
      ].join('\n'),
    );
  });

  it('refuses bad input at once, naming the field', async () => {
    const env = await securityActivities(api.url, {});
    const err = await withWorker(env.activities, ({ client, taskQueue }) =>
      client.workflow
        .execute(securityUpdateWorkflow, {
          taskQueue,
          workflowId: workflowId('bad'),
          args: [{ candidateImage: '--config=/etc/passwd' }],
        })
        .catch((e: unknown) => e),
    );
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect((err as WorkflowFailedError).cause?.message).toMatch(
      /^invalid input: candidateImage must be an image reference/,
    );
  });
});

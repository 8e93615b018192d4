// The Kubernetes API server goes away for ~30 s in the middle of a recovery of a deleted namespace, as
// it may in a real disaster. The worker talks to a second API server of the cluster (same etcd), which
// the test stops once the restore has begun to apply and starts again 30 s later; the kubelet and the
// controllers keep the main one. The recovery waits the outage out and converges.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { kubeClientsFrom, loadKubeConfig } from '../../activities/kubernetes/clients.ts';
import { extraApiServer, pointedAt, type ExtraApiServer } from '../../stack/kube/api-server.ts';
import { startInferenceApi, type InferenceApi } from '../../stack/inference-api.ts';
import { backupWorkflow, disasterRecoveryWorkflow } from '../../workflows/index.ts';
import { testKube } from '../helpers/kube.ts';
import { replayRuns } from '../helpers/replay-runs.ts';
import { modelsOnVolume, serviceCopy } from '../helpers/service.ts';
import { historyEvents, withWorker } from '../helpers/temporal.ts';
import { waitFor } from '../helpers/wait.ts';
import { backupSetup, expectModelsInEveryPod, namespaceGone } from './fixtures.ts';

const OUTAGE_MS = 30_000;

let api: InferenceApi;
let extra: ExtraApiServer;
beforeAll(async () => {
  api = await startInferenceApi();
  extra = await extraApiServer(inject('clusterState'), loadKubeConfig(inject('kubeconfig')));
});
afterAll(async () => {
  await extra?.stop();
  await api?.close();
});

describe('an API-server outage during a recovery', () => {
  it('is waited out: the deleted namespace is recovered as the worker', { timeout: 240_000 }, async () => {
    const worker = kubeClientsFrom(pointedAt(loadKubeConfig(inject('workerKubeconfig')), extra.server));
    const setup = await backupSetup(api.url, worker);
    const namespace = await serviceCopy('outage');
    const files = await modelsOnVolume(namespace);

    await withWorker(setup.activities, async ({ client, taskQueue }) => {
      const backup = await client.workflow.execute(backupWorkflow, {
        taskQueue,
        workflowId: `backup-${namespace}`,
        args: [{ namespace, prefix: setup.prefix, components: ['resources', 'models'] }],
      });
      await namespaceGone(namespace);
      const workflowId = `dr-${namespace}`;
      const handle = await client.workflow.start(disasterRecoveryWorkflow, {
        taskQueue,
        workflowId,
        args: [{ backupKey: backup.key, targetNamespace: namespace }],
      });

      // The restore has begun to apply (its first object is there): the API server goes.
      await waitFor(
        'the first restored object',
        async () => {
          const config = await testKube().core.listNamespacedConfigMap({ namespace });
          return config.items.some((c) => c.metadata?.name === 'pno-config') ? true : undefined;
        },
        60_000,
      );
      await extra.stop();
      const down = Date.now();
      // The outage itself is what is tested: its length is the scenario, not a wait for a condition.
      await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
      await extra.start();
      const up = Date.now();

      const report = await handle.result();
      expect(up - down).toBeGreaterThanOrEqual(OUTAGE_MS);
      expect(report.model).toBe('PASS');
      await expectModelsInEveryPod(namespace, files);
      // It was still running when the server came back: it did wait, it had not finished before.
      const closed = (await historyEvents(client, workflowId)).at(-1)!;
      expect(Number(closed.eventTime!.seconds) * 1000).toBeGreaterThan(up - 1000);
      const replays = await replayRuns(client, workflowId, [(await handle.describe()).runId]);
      expect(replays.map((r) => r.error)).toEqual([undefined]);
    });
  });
});

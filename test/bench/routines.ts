// npm run bench:routines — on the real local stack (Temporal, MinIO, Kubernetes with the fixture
// service): the daily routine with its steps side by side vs one after another, in the same run, and
// the latency from a schedule trigger to the start of the triggered workflow's first activity.
import { randomBytes, randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { createActivities } from '../../activities/index.ts';
import { DEFAULT_COMMANDS } from '../../activities/kubernetes/commands.ts';
import { BackupKey } from '../../activities/archive/index.ts';
import { kubeClientsFrom, loadKubeConfig } from '../../activities/kubernetes/clients.ts';
import { createS3Client } from '../../activities/storage/client.ts';
import { backupWorkflow, dailyMaintenanceWorkflow, healthCheckWorkflow } from '../../workflows/index.ts';
import { startLocalStack } from '../../stack/index.ts';
import '../helpers/quiet-runtime.ts';
import { withWorkerAt } from '../helpers/worker.ts';
import { goodModel, validationSet } from '../model/fixtures.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const TRIGGERS = Number(process.env.BENCH_TRIGGERS ?? 10);
const ms = (n: number) => `${n.toFixed(0)} ms`;
const percentile = (values: number[], q: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.ceil(q * values.length) - 1)]!;

const stack = await startLocalStack({ bucket: 'bench', servedModel: goodModel, inferenceApi: true });
const { temporal, minio, cluster, inferenceApi: api } = stack;
try {
  const kube = kubeClientsFrom(loadKubeConfig(cluster.adminKubeconfig));
  const s3 = createS3Client({ endpoint: minio.endpoint, region: minio.region, credentials: minio });
  const activities = createActivities({
    kube,
    http: { defaultApiBaseUrl: api.url },
    model: { defaultModelPath: goodModel, defaultValidationSetPath: validationSet, kube },
    storage: { s3, bucket: 'bench', backupKey: new BackupKey(randomBytes(32)) },
    commands: { ...DEFAULT_COMMANDS, 'no-op': ['true'] },
  });
  // No vulnerability database offline: the scan is the one stub, taking what a cached trivy scan takes.
  const scanImage = async ({ image }: { image: string }) => {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    return { image, artifactName: image, targets: [], findings: [] };
  };
  const server = { address: temporal.address, namespace: temporal.namespace ?? 'default' };

  await withWorkerAt(server, { ...activities, scanImage }, async ({ client, taskQueue }) => {
    await client.workflow.execute(backupWorkflow, {
      taskQueue,
      workflowId: `bench-backup-${randomUUID()}`,
      args: [{}],
    });
    const daily = async (parallel: boolean) => {
      const started = performance.now();
      const report = await client.workflow.execute(dailyMaintenanceWorkflow, {
        taskQueue,
        workflowId: `bench-daily-${randomUUID()}`,
        args: [{ parallel, logRotateCommand: 'no-op', latencyProbes: 10 }],
      });
      if (report.steps.some((s) => s.status === 'fail'))
        throw new Error(`daily failed: ${JSON.stringify(report.steps)}`);
      return performance.now() - started;
    };
    await daily(true); // warm-up: caches, connections, the first ONNX session
    const sequential: number[] = [];
    const parallel: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      sequential.push(await daily(false));
      parallel.push(await daily(true));
    }
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    console.log(`daily routine, ${RUNS} runs each (6 steps on the real local stack):`);
    console.log(`  one after another (baseline): mean ${ms(mean(sequential))}  [${sequential.map(ms).join(', ')}]`);
    console.log(`  side by side:                 mean ${ms(mean(parallel))}  [${parallel.map(ms).join(', ')}]`);
    console.log(`  speed-up: ${(mean(sequential) / mean(parallel)).toFixed(2)}x`);

    console.log(`schedule trigger -> first activity start, ${TRIGGERS} triggers:`);
    const latencies = await triggerLatencies(client, taskQueue);
    console.log(
      `  p50 ${ms(percentile(latencies, 0.5))}, p95 ${ms(percentile(latencies, 0.95))}, max ${ms(Math.max(...latencies))}`,
    );
  });
} finally {
  await stack.stop();
}

async function triggerLatencies(client: Client, taskQueue: string): Promise<number[]> {
  const scheduleId = `bench-${randomUUID()}`;
  const handle = await client.schedule.create({
    scheduleId,
    spec: { intervals: [{ every: '365 days' }] },
    action: { type: 'startWorkflow', workflowType: healthCheckWorkflow.name, taskQueue, args: [{}] },
    policies: { overlap: 'ALLOW_ALL' },
    state: { paused: true },
  });
  const latencies: number[] = [];
  try {
    for (let i = 0; i < TRIGGERS; i++) {
      const seen = (await handle.describe()).info.recentActions.length;
      const triggeredAt = Date.now();
      await handle.trigger();
      let workflowId: string | undefined;
      for (const deadline = Date.now() + 30_000; !workflowId; await new Promise((resolve) => setTimeout(resolve, 10))) {
        if (Date.now() > deadline) throw new Error('the schedule did not start a workflow within 30 s');
        workflowId = (await handle.describe()).info.recentActions[seen]?.action.workflow.workflowId;
      }
      const workflow = client.workflow.getHandle(workflowId);
      await workflow.result();
      const events = (await workflow.fetchHistory()).events ?? [];
      const firstActivity = events.find((e) => e.activityTaskStartedEventAttributes);
      const at = firstActivity?.eventTime;
      if (!at) throw new Error(`${workflowId}: no activity started`);
      latencies.push(Number(at.seconds) * 1000 + Math.floor((at.nanos ?? 0) / 1e6) - triggeredAt);
    }
  } finally {
    await handle.delete();
  }
  return latencies;
}

// The weekly maintenance routine on the real servers, run as the worker's own ServiceAccount under
// deploy/rbac.yaml: Temporal, MinIO, the Kubernetes API server with its real node, the real ONNX
// Runtime and a local alert receiver. Nothing is stubbed. The routine looks after a copy of the
// fixture service in a namespace of its own (the worker's workload role bound there as in
// production), holding a real TLS certificate that expires in 20 days and a second workload on a
// `latest` image, so the certificate and audit steps have something true to say.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseQuantity, podMetrics } from '../../activities/kubernetes/observe.ts';
import { applyObjects, fromYaml } from '../../activities/kubernetes/resources.ts';
import { waitForRollout } from '../../activities/kubernetes/rollout.ts';
import { utcDay } from '../../activities/reports/keys.ts';
import type { CertificateExpiryResult } from '../../workflows/security/certificates.ts';
import type { SecurityAuditResult } from '../../workflows/security/audit.ts';
import { weeklyMaintenanceWorkflow } from '../../workflows/routines/weekly.ts';
import type { WeeklyInput } from '../../workflows/routines/input.ts';
import type { RoutineReport } from '../../types/index.ts';
import { startReceiver, type Receiver } from '../alerts/receiver.ts';
import { startInferenceApi, type InferenceApi } from '../../stack/inference-api.ts';
import { FAKE_NODE } from '../../stack/kube/cluster.ts';
import { testKube, workerKube } from '../helpers/kube.ts';
import { selfSigned } from '../helpers/certs.ts';
import { serviceCopy } from '../helpers/service.ts';
import { historyEvents, testClient, withWorker } from '../helpers/temporal.ts';
import { goodModel } from '../model/fixtures.ts';
import { waitFor } from '../helpers/wait.ts';
import { alertsSince, byStep, realActivities, routineAlerts, stepsByName, storedJson } from './helpers.ts';

let api: InferenceApi;
let receiver: Receiver;
let namespace: string;

beforeAll(async () => {
  [api, receiver, namespace] = await Promise.all([startInferenceApi(), startReceiver(), serviceCopy('weekly')]);
  const tls = await selfSigned('weekly.pno.example', 20);
  await testKube().core.createNamespacedSecret({
    namespace,
    body: {
      metadata: { name: 'pno-tls' },
      type: 'kubernetes.io/tls',
      stringData: { 'tls.crt': tls.cert, 'tls.key': tls.key },
    },
  });
  const labels = { app: 'helper' };
  await applyObjects(
    testKube(),
    [
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'helper', namespace, labels },
        spec: {
          replicas: 1,
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: { containers: [{ name: 'helper', image: 'registry.example.com/tools/helper:latest' }] },
          },
        },
      },
    ],
    { fieldManager: 'pno-test-weekly' },
  );
  await waitForRollout(testKube(), namespace, 'helper', { timeoutMs: 60_000, pollMs: 200 });
  // metrics-server has figures for a pod after its second scrape (10 s apart): wait for both pods, so
  // the performance step reports a snapshot rather than "no metrics yet".
  await waitFor(
    'metrics for both service pods',
    async () => {
      const metrics = await podMetrics(workerKube(), namespace, 'app=pno-physics-bench');
      return metrics.available && metrics.pods.length === 2 ? true : undefined;
    },
    60_000,
  );
}, 180_000);
afterAll(() => Promise.all([api?.close(), receiver?.close()]));

let runs = 0;

/** One weekly run as the worker, on the namespace above. */
async function runWeekly(input: WeeklyInput) {
  const { activities, bucket } = await realActivities({ api, receiver, kube: workerKube() });
  const workflowId = `weekly-${namespace}-${Date.now()}-${runs++}`;
  const from = receiver.requests.length;
  const report = await withWorker(activities, ({ client, taskQueue }) =>
    client.workflow.execute(weeklyMaintenanceWorkflow, { taskQueue, workflowId, args: [{ namespace, ...input }] }),
  );
  return { report, bucket, workflowId, from };
}

async function expectStored(report: RoutineReport, bucket: string, workflowId: string) {
  const day = report.reportKey.split('/')[2];
  expect(report.reportKey).toBe(`reports/routine-weekly/${day}/${workflowId}.json`);
  // The UTC day the store was scheduled: the start's, or the next if the run straddled midnight.
  expect([utcDay(new Date(report.startedAt)), utcDay(new Date())]).toContain(day);
  expect(await storedJson(bucket, report.reportKey)).toEqual(report);
}

/** The service container's requests, in whole millicores and MiB, as the fixture sets them. */
async function serviceRequests() {
  const d = await testKube().apps.readNamespacedDeployment({ namespace, name: 'pno-physics-bench' });
  const requests = d.spec?.template.spec?.containers[0]?.resources?.requests ?? {};
  return {
    cpuPerPod: Math.round(parseQuantity(requests.cpu ?? '0') * 1000),
    memPerPod: Math.round(parseQuantity(requests.memory ?? '0') / 2 ** 20),
  };
}

/** The service's first ready pod by name: the one execInPod picks. */
async function firstReadyPod(): Promise<string> {
  const pods = await testKube().core.listNamespacedPod({ namespace, labelSelector: 'app=pno-physics-bench' });
  return pods.items
    .filter((p) => p.status?.phase === 'Running' && p.status.containerStatuses?.every((c) => c.ready))
    .map((p) => p.metadata!.name!)
    .sort()[0]!;
}

describe('weekly maintenance as the worker ServiceAccount', () => {
  it('runs all seven steps side by side and reports each from real facts; nothing fails, nothing alerts', async () => {
    const { report, bucket, workflowId, from } = await runWeekly({
      database: { container: 'pno-inference', maintenanceCommand: 'no-op' },
    });
    const steps = stepsByName(report);
    expect(report.steps.map((s) => s.step)).toEqual([
      'nodes snapshot',
      'certificate expiry',
      'model integrity',
      'database maintenance',
      'performance optimization',
      'capacity analysis',
      'security audit',
    ]);

    // Side by side: the first workflow task starts every step's work before anything comes back.
    const events = await historyEvents(await testClient(), workflowId);
    const firstTask = events.findIndex((e) => e.typeName === 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED');
    const commands = [];
    for (const e of events.slice(firstTask + 1)) {
      // The run's own bookkeeping: its search attributes, patch markers, its maintenance window's timer.
      if (
        e.typeName === 'EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES' ||
        e.typeName === 'EVENT_TYPE_MARKER_RECORDED' ||
        e.typeName === 'EVENT_TYPE_TIMER_STARTED'
      )
        continue;
      if (e.typeName === 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED')
        commands.push(e.activityTaskScheduledEventAttributes?.activityType?.name);
      else if (e.typeName === 'EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED')
        commands.push(e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowType?.name);
      else break;
    }
    expect(commands.sort()).toEqual([
      'capacityFacts',
      'certificateExpiryWorkflow',
      'execInPod',
      'getHpa',
      'modelHealthWorkflow',
      'nodesSnapshot',
      'podMetrics',
      'securityAuditWorkflow',
    ]);

    // Nodes snapshot: the cluster's nodes, stored in the bucket under the key the step names.
    const nodes = (await testKube().core.listNode()).items;
    const snapshotKey = /^\d+ nodes; (reports\/nodes\/\S+)$/.exec(steps['nodes snapshot']!.detail)?.[1];
    expect(steps['nodes snapshot']).toMatchObject({ status: 'ok', detail: `${nodes.length} nodes; ${snapshotKey}` });
    expect(snapshotKey).toMatch(new RegExp(`^reports/nodes/\\d{4}-\\d{2}-\\d{2}/${workflowId}\\.json$`));
    const snapshot = await storedJson<{ count: number; yaml: string }>(bucket, snapshotKey!);
    expect(snapshot.count).toBe(nodes.length);
    const stored = fromYaml(snapshot.yaml);
    expect(stored.map((n) => `${n.kind}/${n.metadata?.name}`).sort()).toEqual(
      nodes.map((n) => `Node/${n.metadata?.name}`).sort(),
    );
    expect(stored.find((n) => n.metadata?.name === FAKE_NODE)).toMatchObject({
      status: { allocatable: { cpu: '64', memory: '256Gi' } },
    });

    // Certificate expiry: the one TLS Secret, 19 whole days left, is a warning (warn at 30, critical at 7).
    const client = await testClient();
    const certificates = await client.workflow
      .getHandle<() => Promise<CertificateExpiryResult>>(`${workflowId}-certificates`)
      .result();
    expect(certificates.certificates).toMatchObject([
      { source: 'secret', namespace, name: 'pno-tls', status: 'WARNING', daysLeft: 19 },
    ]);
    expect(steps['certificate expiry']).toMatchObject({ status: 'warn', detail: '1 certificates, status WARNING' });
    expect(alertsSince(receiver, from)).toContainEqual(
      expect.objectContaining({
        type: 'certificate_expiry',
        severity: 'warning',
        dedupKey: `certificate-expiry:${namespace}`,
      }),
    );

    // Model integrity: the fixture model through the real ONNX Runtime.
    expect(steps['model integrity']).toMatchObject({ status: 'ok', detail: `file:${goodModel}: PASS` });

    // Database maintenance: the command ran in the service's first ready pod.
    expect(steps['database maintenance']).toMatchObject({ status: 'ok', detail: `true in ${await firstReadyPod()}` });

    // Performance: the real node's pods as metrics-server measured them, read as the worker.
    const performance = steps['performance optimization']!;
    expect(performance.status).toBe('ok');
    expect(JSON.parse(performance.detail)).toMatchObject({ available: true, pods: 2 });
    expect(JSON.parse(performance.detail).memoryMaxMiB).toBeGreaterThan(0);

    // Capacity: the nodes' allocatable against the requests the worker may see (this namespace's
    // pods: two of the service, the helper without requests), at the HPA's 10. Whole millicores and
    // MiB per node, as the capacity facts count them.
    const cpu = nodes.reduce((sum, n) => sum + Math.round(parseQuantity(n.status!.allocatable!.cpu!) * 1000), 0);
    const mem = nodes.reduce((sum, n) => sum + Math.round(parseQuantity(n.status!.allocatable!.memory!) / 2 ** 20), 0);
    const { cpuPerPod, memPerPod } = await serviceRequests();
    const [usedCpu, usedMem] = [2 * cpuPerPod, 2 * memPerPod];
    expect(steps['capacity analysis']).toEqual(
      expect.objectContaining({
        status: 'ok',
        detail:
          `${nodes.length} nodes; requests use ${Math.round((usedCpu / cpu) * 100)}% CPU, ${Math.round((usedMem / mem) * 100)}% memory; ` +
          `scaling to 10 replicas needs ${8 * cpuPerPod}m CPU and ${8 * memPerPod} MiB more (free ${cpu - usedCpu}m, ${mem - usedMem} MiB)`,
      }),
    );

    // Security audit: the two workloads, the helper's `latest` image a HIGH finding, so a warning.
    const audit = await client.workflow.getHandle<() => Promise<SecurityAuditResult>>(`${workflowId}-audit`).result();
    expect(audit).toMatchObject({
      namespaces: [namespace],
      workloadsAudited: 2,
      notAudited: [
        `the worker may not list DaemonSets in ${namespace}`,
        `the worker may not list CronJobs in ${namespace}`,
      ],
    });
    expect(audit.findings).toContainEqual(
      expect.objectContaining({
        check: 'mutable-image-tag',
        severity: 'HIGH',
        resource: `Deployment ${namespace}/helper`,
      }),
    );
    expect(audit.findings).toContainEqual(
      expect.objectContaining({
        check: 'mutable-image-tag',
        severity: 'MEDIUM',
        resource: `Deployment ${namespace}/pno-physics-bench`,
      }),
    );
    const serious = audit.findings.filter((f) => f.severity === 'CRITICAL' || f.severity === 'HIGH').length;
    expect(steps['security audit']).toMatchObject({
      status: 'warn',
      detail: `${audit.findings.length} findings (${serious} critical/high) over 2 workloads; ${audit.reportKey}`,
    });
    expect(await storedJson(bucket, audit.reportKey)).toMatchObject({
      findings: audit.findings,
      notAudited: audit.notAudited,
    });

    expect(report).toMatchObject({ routine: 'weekly', status: 'warn', alerted: false });
    await expectStored(report, bucket, workflowId);
    expect(routineAlerts(receiver, from, workflowId)).toEqual([]);
  }, 180_000);

  it('a failing database maintenance fails its step only, and alerts once', async () => {
    const { report, bucket, workflowId, from } = await runWeekly({
      database: { container: 'pno-inference', maintenanceCommand: 'exit-3' },
    });
    expect(byStep(report)).toEqual({
      'nodes snapshot': 'ok',
      'certificate expiry': 'warn',
      'model integrity': 'ok',
      'database maintenance': 'fail',
      'performance optimization': 'ok',
      'capacity analysis': 'ok',
      'security audit': 'warn',
    });
    const database = stepsByName(report)['database maintenance']!;
    // The kubelet reports the command's exit code from inside the container.
    expect(database.detail).toBe('exit 3');
    expect(report).toMatchObject({ routine: 'weekly', status: 'fail', alerted: true });
    await expectStored(report, bucket, workflowId);

    const alerts = routineAlerts(receiver, from, workflowId);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      status: 'firing',
      type: 'routine_weekly_failed',
      severity: 'warning',
      service: 'pno-physics-bench',
      summary: 'weekly maintenance: 1 step(s) failed: database maintenance',
      details: { failed: [database], workflowId, reportKey: report.reportKey },
      dedupKey: `routine-weekly-${workflowId}`,
      source: { workflowId },
    });
  }, 180_000);

  it('database maintenance is skipped when none is configured: no command runs', async () => {
    const { report, bucket, workflowId, from } = await runWeekly({});
    expect(stepsByName(report)['database maintenance']).toEqual({
      step: 'database maintenance',
      status: 'skipped',
      detail: 'no database configured',
      durationMs: 0,
    });
    expect(byStep(report)).toMatchObject({
      'nodes snapshot': 'ok',
      'model integrity': 'ok',
      'capacity analysis': 'ok',
    });
    const scheduled = (await historyEvents(await testClient(), workflowId))
      .filter((e) => e.typeName === 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED')
      .map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name);
    expect(scheduled).toContain('nodesSnapshot');
    expect(scheduled).not.toContain('execInPod');
    expect(report).toMatchObject({ status: 'warn', alerted: false });
    await expectStored(report, bucket, workflowId);
    expect(routineAlerts(receiver, from, workflowId)).toEqual([]);
  }, 180_000);
});

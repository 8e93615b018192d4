// The worker as deploy/ ships it, in a pod on the real node: an image built from this checkout by
// scripts/build-worker-image.sh, deploy/'s resources applied in kustomization.yaml's order, and what
// an operator writes for a site: the settings ConfigMap, three Secrets. The test site differs from a
// real one only where this machine does: the image is imported (never pulled), the pods go to the real
// node, and as there is no cluster DNS, hostAliases give the shipped host names the Service addresses
// that lead to Temporal, MinIO and the service on the host (stack/kube/pod-relay.ts).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { Client, Connection } from '@temporalio/client';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readKeyFile } from '../../activities/archive/keys.ts';
import { listPods } from '../../activities/kubernetes/status.ts';
import { applyObjects, fromYaml, type Obj } from '../../activities/kubernetes/resources.ts';
import { defaultProductConfig } from '../../config/schema.ts';
import { SCHEDULE_PREFIX, scheduleDefinitions } from '../../schedules/definitions.ts';
import { importImage, removeImage } from '../../stack/kube/containerd.ts';
import { REAL_NODE_PLACEMENT } from '../../stack/kube/node.ts';
import { routeFromPods, type PodRoute } from '../../stack/kube/pod-relay.ts';
import { waitUntil } from '../../stack/process.ts';
import { createNamespace } from '../../stack/temporal.ts';
import { productDataConverter } from '../../workers/codec/data-converter.ts';
import { backupWorkflow, healthCheckWorkflow } from '../../workflows/index.ts';
import { TASK_QUEUE } from '../../types/index.ts';
import { testKube } from '../helpers/kube.ts';
import { freshBucket, testS3 } from '../helpers/s3.ts';

const deployDir = new URL('../../deploy/', import.meta.url);
const NS = 'pno-maintenance';
const admin = testKube();
const stamp = `${Date.now()}`;
const image = `pno.local/pno-maintenance-worker:test-${stamp}`;
const temporalNamespace = `in-cluster-${stamp}`;
const routes: PodRoute[] = [];
let dir: string;
let bucket: string;
let client: Client;
let connection: Connection;

/** deploy/'s objects, file by file in kustomization.yaml's order, as `kubectl apply -k deploy/` reads them. */
async function shippedObjects(): Promise<Obj[]> {
  const kustomization = parse(await readFile(new URL('kustomization.yaml', deployDir), 'utf8')) as {
    resources: string[];
  };
  const files = await Promise.all(kustomization.resources.map((f) => readFile(new URL(f, deployDir), 'utf8')));
  return files.flatMap((text) => fromYaml(text));
}

const hostAddress = (address: string) => {
  const url = new URL(address.includes('://') ? address : `tcp://${address}`);
  return { host: url.hostname, port: Number(url.port) };
};

/** What this machine lacks: the node's own image, the real node, and names a cluster DNS would answer. */
function forThisMachine(pod: Record<string, unknown>, hostAliases: { ip: string; hostnames: string[] }[]) {
  const spec = pod as { containers: Record<string, unknown>[] };
  return {
    ...pod,
    ...REAL_NODE_PLACEMENT,
    hostAliases,
    // Lookups end at /etc/hosts: nothing a pod resolves leaves the node.
    dnsPolicy: 'None',
    dnsConfig: { nameservers: ['127.0.0.1'] },
    containers: spec.containers.map((c) => ({ ...c, image, imagePullPolicy: 'Never' })),
  };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pno-in-cluster-'));
  const tarball = join(dir, 'worker.tar');
  // The image build runs the Node that runs this test (Node 24), and trivy from the tool cache.
  await promisify(execFile)(
    'bash',
    [new URL('../../scripts/build-worker-image.sh', import.meta.url).pathname, tarball, image],
    { env: { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH}` }, maxBuffer: 16 * 2 ** 20 },
  );
  await importImage(inject('realNodeContainerd'), tarball);

  const temporal = hostAddress(inject('temporalAddress'));
  const s3 = inject('s3');
  await Promise.all([
    createNamespace(inject('temporalAddress'), temporalNamespace),
    admin.core.createNamespace({ body: { metadata: { name: 'temporal' } } }).catch((err: unknown) => {
      if ((err as { code?: number }).code !== 409) throw err;
    }),
  ]);
  bucket = await freshBucket('in-cluster');
  const production = await admin.core.readNamespacedService({ namespace: 'production', name: 'pno-physics-bench' });
  routes.push(
    await routeFromPods(admin, {
      namespace: 'temporal',
      service: 'temporal-frontend',
      port: { name: 'grpc', port: 7233 },
      target: temporal,
    }),
    await routeFromPods(admin, {
      namespace: NS,
      service: 'minio',
      port: { name: 's3', port: 9000 },
      target: hostAddress(s3.endpoint),
    }),
    // production's Service leads to pods, which a pod here reaches only through the host.
    await routeFromPods(admin, {
      namespace: NS,
      service: 'production-api-via-node',
      port: { name: 'http', port: 8000 },
      target: { host: production.spec?.clusterIP ?? '', port: 8000 },
    }),
  );
  const [temporalRoute, minioRoute, apiRoute] = routes;
  const hostAliases = [
    { ip: temporalRoute!.clusterIp, hostnames: ['temporal-frontend.temporal.svc'] },
    { ip: minioRoute!.clusterIp, hostnames: [`minio.${NS}.svc`] },
    { ip: apiRoute!.clusterIp, hostnames: ['pno-physics-bench.production.svc'] },
  ];

  const backupKey = randomBytes(32).toString('base64');
  const payloadKey = randomBytes(32).toString('base64');
  await writeFile(join(dir, 'payload.key'), payloadKey, { mode: 0o600 });
  const secret = (name: string, stringData: Record<string, string>): Obj => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: NS },
    type: 'Opaque',
    stringData,
  });
  const site: Obj[] = [
    secret('pno-backup-key', { 'backup.key': backupKey }),
    secret('pno-payload-key', { 'payload.key': payloadKey }),
    secret('pno-s3-credentials', { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey }),
  ];
  const objects = (await shippedObjects()).map((obj): Obj => {
    const name = obj.metadata?.name;
    if (obj.kind === 'ConfigMap' && name === 'pno-maintenance-settings') {
      const data = (obj as { data: Record<string, string> }).data;
      // This site's Temporal namespace and bucket; it has no Prometheus or Alertmanager.
      return {
        ...obj,
        data: {
          ...data,
          TEMPORAL_NAMESPACE: temporalNamespace,
          PNO_PROMETHEUS_URL: '',
          PNO_ALERTMANAGER_URL: '',
          S3_BUCKET: bucket,
          S3_REGION: s3.region,
          S3_ENDPOINT: `http://minio.${NS}.svc:9000`,
        },
      } as Obj;
    }
    if (obj.kind === 'Deployment' || obj.kind === 'Job') {
      const template = (obj as { spec: { template: { spec: Record<string, unknown> } } }).spec.template;
      return {
        ...obj,
        spec: {
          ...(obj as { spec: object }).spec,
          // One replica is enough to show it works; two would only load this 2-core machine.
          ...(obj.kind === 'Deployment' ? { replicas: 1 } : {}),
          template: { ...template, spec: forThisMachine(template.spec, hostAliases) },
        },
      } as Obj;
    }
    return obj;
  });
  // A run cut short may have left its worker: its pod must not pass for this one.
  await removeWorkloads();
  await applyObjects(admin, [...site, ...objects], { fieldManager: 'pno-test-deploy' });

  connection = await Connection.connect({ address: inject('temporalAddress') });
  client = new Client({
    connection,
    namespace: temporalNamespace,
    dataConverter: productDataConverter({ current: readKeyFile(join(dir, 'payload.key'), 'payload key'), retired: [] }),
  });
  await waitUntil('the in-cluster worker Ready', async () => (await workerPods()).some((p) => p.ready), {
    timeoutMs: 180_000,
  });
}, 420_000);

afterAll(async () => {
  await removeWorkloads();
  for (const name of ['pno-backup-key', 'pno-payload-key', 'pno-s3-credentials'])
    await admin.core.deleteNamespacedSecret({ namespace: NS, name }).catch(() => undefined);
  for (const name of ['pno-maintenance-settings', 'pno-maintenance-config'])
    await admin.core.deleteNamespacedConfigMap({ namespace: NS, name }).catch(() => undefined);
  await Promise.allSettled(routes.map((r) => r.close()));
  for (const { id } of scheduleDefinitions())
    await client?.schedule
      .getHandle(id)
      .delete()
      .catch(() => undefined);
  await connection?.close();
  await removeImage(inject('realNodeContainerd'), image).catch(() => undefined);
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The worker's Deployment and the sync Job, with their pods, gone. */
async function removeWorkloads(): Promise<void> {
  for (const [apiVersion, kind, name] of [
    ['apps/v1', 'Deployment', 'pno-maintenance-worker'],
    ['batch/v1', 'Job', 'pno-schedule-sync'],
  ] as const) {
    await admin.objects
      .delete({ apiVersion, kind, metadata: { name, namespace: NS } }, undefined, undefined, 1, undefined, 'Background')
      .catch(() => undefined);
  }
  await waitUntil(
    'no worker or sync pods left',
    async () => (await listPods(admin, NS, 'app in (pno-maintenance-worker,pno-schedule-sync)')).length === 0,
    { timeoutMs: 90_000 },
  );
}

const workerPods = () => listPods(admin, NS, 'app=pno-maintenance-worker');

describe('the worker deployed from deploy/ on the real node', () => {
  it('runs the image built here on the real node, Ready once it polls, syncing no schedules', async () => {
    const [pod] = (await workerPods()).filter((p) => p.ready);
    if (!pod) throw new Error('no ready worker pod');
    const read = await admin.core.readNamespacedPod({ namespace: NS, name: pod.name });
    expect(read.spec?.nodeName).toBe(inject('realNodeName'));
    expect(read.status?.containerStatuses?.[0]?.image).toContain(image);
    const log = await admin.core.readNamespacedPodLog({ namespace: NS, name: pod.name, container: 'worker' });
    expect(log).toContain('"worker polling"');
    expect(log).toContain('sealed with key');
    // The replicas never sync schedules: the Job does.
    expect(log).not.toContain('schedules synced');
  });

  it('syncs the schedules once, from the schedule-sync Job', async () => {
    const job = () =>
      admin.objects.read({
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: { name: 'pno-schedule-sync', namespace: NS },
      }) as Promise<{
        status?: { succeeded?: number; failed?: number };
      }>;
    const outcome = async () => {
      const { status } = await job();
      return (status?.failed ?? 0) > 0 ? 'failed' : (status?.succeeded ?? 0) > 0 ? 'succeeded' : 'running';
    };
    await expect.poll(outcome, { timeout: 120_000, interval: 500 }).not.toBe('running');
    expect(await outcome()).toBe('succeeded');
    const ids: string[] = [];
    for await (const schedule of client.schedule.list()) ids.push(schedule.scheduleId);
    expect(ids.sort()).toEqual(
      scheduleDefinitions(defaultProductConfig())
        .map((d) => d.id)
        .sort(),
    );
    expect(ids.every((id) => id.startsWith(SCHEDULE_PREFIX))).toBe(true);
  });

  it('completes a health check and a verified backup, both on the pod', { timeout: 240_000 }, async () => {
    const [pod] = (await workerPods()).filter((p) => p.ready);
    if (!pod) throw new Error('no ready worker pod');
    const health = await client.workflow.execute(healthCheckWorkflow, {
      taskQueue: TASK_QUEUE,
      workflowId: `in-cluster-health-${stamp}`,
      args: [{}],
    });
    expect(health.status).toBe('HEALTHY');
    const backup = await client.workflow.execute(backupWorkflow, {
      taskQueue: TASK_QUEUE,
      workflowId: `in-cluster-backup-${stamp}`,
      args: [{}],
    });
    expect(backup.entries).toBeGreaterThan(0);
    expect(backup.verified.entries).toBe(backup.entries);
    const stored = await testS3().send(new HeadObjectCommand({ Bucket: bucket, Key: backup.key }));
    expect(stored.ContentLength).toBe(backup.objectBytes);
    // The worker identity is `pid@hostname`, and a pod's hostname is its name.
    const history = await client.workflow.getHandle(`in-cluster-backup-${stamp}`).fetchHistory();
    const identities = new Set(
      (history.events ?? []).map((e) => e.activityTaskStartedEventAttributes?.identity).filter(Boolean),
    );
    expect(identities.size).toBeGreaterThan(0);
    for (const identity of identities) expect(identity).toMatch(new RegExp(`@${pod.name}$`));
  });
});

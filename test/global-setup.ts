// Starts the real servers once for the whole run and hands their addresses to the test files.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { TestProject } from 'vitest/node';
import { workflowsPath } from '../workers/worker.ts';
import { applyFixtureStack } from './env/kube/fixtures.ts';
import { startLocalCluster } from './env/kube/cluster.ts';
import { workerKubeconfig } from './env/kube/worker-identity.ts';
import { startMinio, type S3Settings } from './env/minio.ts';
import { startLocalTemporal } from './env/temporal.ts';
import { startRealNode } from '../stack/kube/node.ts';
import { applyRealNodeFixtures } from '../stack/kube/node-fixtures.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    temporalNamespace: string;
    workflowBundlePath: string;
    s3: S3Settings;
    /** Cluster-admin kubeconfig of the local cluster, with the fixture stack applied. */
    kubeconfig: string;
    /** The worker's ServiceAccount (deploy/rbac.yaml) on the same cluster. */
    workerKubeconfig: string;
    /** The directory every simulated pod's exec runs in. */
    podRoot: string;
    /** The real node (containerd + kubelet) beside kwok's, running the pno-node fixture. */
    realNodeName: string;
  }
}

export default async function setup(project: TestProject) {
  const [temporal, minio, cluster] = await startAll([startLocalTemporal(), startMinio(), startLocalCluster()]);
  // The real node joins beside kwok's simulated one; it is stopped before everything else.
  const node = await startRealNode(cluster).catch(async (err: unknown) => {
    await Promise.allSettled([temporal.teardown(), minio.stop(), cluster.stop()]);
    throw err;
  });
  const stopServers = async () => {
    await node.stop().finally(() => Promise.all([temporal.teardown(), minio.stop(), cluster.stop()]));
  };
  try {
    await Promise.all([applyFixtureStack(cluster.adminKubeconfig), applyRealNodeFixtures(cluster)]);
  } catch (err) {
    await stopServers();
    throw err;
  }
  const workerConfig = await workerKubeconfig(cluster);
  // Bundle the workflows once; every test worker loads the same file instead of running webpack.
  const dir = await mkdtemp(join(tmpdir(), 'pno-test-'));
  const bundlePath = join(dir, 'workflow-bundle.js');
  await writeFile(bundlePath, (await bundleWorkflowCode({ workflowsPath, logger: quietLogger })).code);

  project.provide('temporalAddress', temporal.address);
  project.provide('temporalNamespace', temporal.namespace ?? 'default');
  project.provide('workflowBundlePath', bundlePath);
  const { endpoint, region, accessKeyId, secretAccessKey } = minio;
  project.provide('s3', { endpoint, region, accessKeyId, secretAccessKey });
  project.provide('kubeconfig', cluster.adminKubeconfig);
  project.provide('workerKubeconfig', workerConfig);
  project.provide('podRoot', cluster.podRoot);
  project.provide('realNodeName', node.name);

  return async () => {
    await stopServers();
    await rm(dir, { recursive: true, force: true });
  };
}

/** Starts servers side by side; if one fails, stops the ones that started before failing the run. */
async function startAll<T extends readonly unknown[]>(starts: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const settled = await Promise.allSettled(starts);
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (!failed) return settled.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T;
  await Promise.allSettled(
    settled.map((r) => {
      if (r.status !== 'fulfilled') return undefined;
      const server = r.value as { teardown?: () => Promise<void>; stop?: () => Promise<void> };
      return server.teardown?.() ?? server.stop?.();
    }),
  );
  throw failed.reason;
}

const quietLogger = {
  log() {},
  trace() {},
  debug() {},
  info() {},
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
};

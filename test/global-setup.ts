// Starts the real servers once for the whole run and hands their addresses to the test files.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { TestProject } from 'vitest/node';
import { workflowsPath } from '../workers/worker.ts';
import { applyFixtureStack } from './env/kube/fixtures.ts';
import { startLocalCluster } from './env/kube/cluster.ts';
import { startMinio, type S3Settings } from './env/minio.ts';
import { startLocalTemporal } from './env/temporal.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    temporalNamespace: string;
    workflowBundlePath: string;
    s3: S3Settings;
    /** Cluster-admin kubeconfig of the local cluster, with the fixture stack applied. */
    kubeconfig: string;
    /** The directory every simulated pod's exec runs in. */
    podRoot: string;
  }
}

export default async function setup(project: TestProject) {
  const [temporal, minio, cluster] = await Promise.all([startLocalTemporal(), startMinio(), startLocalCluster()]);
  await applyFixtureStack(cluster.adminKubeconfig);
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
  project.provide('podRoot', cluster.podRoot);

  return async () => {
    await Promise.all([temporal.teardown(), minio.stop(), cluster.stop()]);
    await rm(dir, { recursive: true, force: true });
  };
}

const quietLogger = {
  log() {},
  trace() {},
  debug() {},
  info() {},
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
};

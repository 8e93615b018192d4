// Starts the real servers once for the whole run and hands their addresses to the test files.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { TestProject } from 'vitest/node';
import { startLocalStack } from '../stack/index.ts';
import type { S3Settings } from '../stack/minio.ts';
import { failureConverterPath, workflowsPath } from '../workers/worker.ts';
import { goodModel } from './model/fixtures.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    temporalNamespace: string;
    workflowBundlePath: string;
    s3: S3Settings;
    /** Cluster-admin kubeconfig of the local cluster, with the fixture service applied. */
    kubeconfig: string;
    /** The worker's ServiceAccount (deploy/rbac.yaml) on the same cluster. */
    workerKubeconfig: string;
    /** The real node (containerd + kubelet), running the production fixture. */
    realNodeName: string;
    /** Its containerd's socket (images in namespace k8s.io). */
    realNodeContainerd: string;
    /** The control plane's state and etcd, for a test that runs a second API server of its own. */
    clusterState: { dir: string; etcdUrl: string };
  }
}

export default async function setup(project: TestProject) {
  // production's pods serve the fixture model from their models volume, as the served model would be.
  const stack = await startLocalStack({ servedModel: goodModel });
  const { temporal, minio, cluster, node } = stack;
  // Bundle the workflows once; every test worker loads the same file instead of running webpack.
  const dir = await mkdtemp(join(tmpdir(), 'pno-test-'));
  const bundlePath = join(dir, 'workflow-bundle.js');
  const stopAll = async () => {
    await stack.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await writeFile(
      bundlePath,
      (await bundleWorkflowCode({ workflowsPath, failureConverterPath, logger: quietLogger })).code,
    );
  } catch (err) {
    await stopAll();
    throw err;
  }

  project.provide('temporalAddress', temporal.address);
  project.provide('temporalNamespace', temporal.namespace ?? 'default');
  project.provide('workflowBundlePath', bundlePath);
  const { endpoint, region, accessKeyId, secretAccessKey } = minio;
  project.provide('s3', { endpoint, region, accessKeyId, secretAccessKey });
  project.provide('kubeconfig', cluster.adminKubeconfig);
  project.provide('workerKubeconfig', stack.workerKubeconfig);
  project.provide('realNodeName', node.name);
  project.provide('realNodeContainerd', node.containerdSocket);
  project.provide('clusterState', { dir: cluster.dir, etcdUrl: cluster.etcdUrl });

  return stopAll;
}

const quietLogger = {
  log() {},
  trace() {},
  debug() {},
  info() {},
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
};

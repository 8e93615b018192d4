// The local stack: a Temporal dev server, MinIO, a Kubernetes control plane, a real node (containerd +
// kubelet) on which the fixture service runs in real containers, and the worker's own identity on that
// cluster. `./ops start` (workers/dev.ts),
// the test setup and the benches all start it here; what differs between them is options.
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BucketAlreadyOwnedByYou, CreateBucketCommand } from '@aws-sdk/client-s3';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createS3Client } from '../activities/storage/client.ts';
import { startInferenceApi, type InferenceApi } from './inference-api.ts';
import { startLocalCluster, type LocalCluster } from './kube/cluster.ts';
import { applyFixtureService } from './kube/fixture-service.ts';
import { startRealNode, type RealNode } from './kube/node.ts';
import { volumeDirectory } from './kube/volume-provisioner.ts';
import { kubeClientsFrom, loadKubeConfig } from '../activities/kubernetes/clients.ts';
import { workerKubeconfig } from './kube/worker-identity.ts';
import { startMinio, type LocalMinio, type MinioOptions } from './minio.ts';
import { startLocalTemporal, type LocalTemporalOptions } from './temporal.ts';

export interface LocalStackOptions {
  temporal?: LocalTemporalOptions;
  minio?: MinioOptions;
  /** A bucket to create unless it exists. */
  bucket?: string;
  /** An ONNX file to put where production's pods keep their model (/app/models/pno_model.onnx, on its volume). */
  servedModel?: string;
  /** Also start the stand-in for the inference API. Test files start their own, to steer its answers. */
  inferenceApi?: boolean;
}

export interface LocalStack {
  temporal: TestWorkflowEnvironment;
  minio: LocalMinio;
  cluster: LocalCluster;
  /** The real node, running the `production` fixture in real containers. */
  node: RealNode;
  /** A kubeconfig of the worker's ServiceAccount (deploy/rbac.yaml): exactly the product's permissions. */
  workerKubeconfig: string;
  /** The host directory of production's models volume (what its pods mount at /app/models). */
  modelsVolume: string;
  inferenceApi?: InferenceApi;
  /** Stops everything; data kept only where an option named a directory or file for it. */
  stop(): Promise<void>;
}

export function startLocalStack(
  options: LocalStackOptions & { inferenceApi: true },
): Promise<LocalStack & { inferenceApi: InferenceApi }>;
export function startLocalStack(options?: LocalStackOptions): Promise<LocalStack>;
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const stoppers: Array<() => Promise<unknown>> = [];
  let node: RealNode | undefined;
  const stop = async () => {
    // The real node drains its pods through the API server: it goes first.
    await Promise.allSettled([node?.stop()]);
    await Promise.allSettled(stoppers.map((stopOne) => stopOne()));
  };
  const started = <T>(server: Promise<T>, stopServer: (server: T) => Promise<unknown>) =>
    server.then((value) => {
      stoppers.push(() => stopServer(value));
      return value;
    });

  const starting = [
    started(startLocalTemporal(options.temporal), (temporal) => temporal.teardown()),
    started(startMinio(options.minio), (minio) => minio.stop()),
    started(startLocalCluster(), (cluster) => cluster.stop()),
    options.inferenceApi ? started(startInferenceApi(), (api) => api.close()) : undefined,
  ] as const;
  // Let every start finish first, so that when one fails, all those that came up are stopped.
  await Promise.allSettled(starting);
  try {
    const [temporal, minio, cluster, inferenceApi] = await Promise.all(starting);
    node = await startRealNode(cluster);
    await applyFixtureService(cluster.adminKubeconfig);
    const admin = kubeClientsFrom(loadKubeConfig(cluster.adminKubeconfig));
    const modelsVolume = await volumeDirectory(admin, 'production', 'pno-models');
    if (options.servedModel) await copyFile(options.servedModel, join(modelsVolume, 'pno_model.onnx'));
    if (options.bucket) await createBucket(minio, options.bucket);
    const workerConfig = await workerKubeconfig(cluster);
    return { temporal, minio, cluster, node, workerKubeconfig: workerConfig, modelsVolume, inferenceApi, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function createBucket(minio: LocalMinio, bucket: string) {
  const { endpoint, region, accessKeyId, secretAccessKey } = minio;
  const s3 = createS3Client({ endpoint, region, credentials: { accessKeyId, secretAccessKey } });
  try {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (err) {
    // Kept from an earlier run (the embedded default keeps MinIO's data).
    if (!(err instanceof BucketAlreadyOwnedByYou)) throw err;
  } finally {
    s3.destroy();
  }
}

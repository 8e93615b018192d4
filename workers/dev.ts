// The embedded default (`./ops start`): everything the product talks to, started locally: a Temporal
// dev server with its Web UI on :8233, MinIO, a Kubernetes control plane with a real node (containerd)
// running the fixture service in namespace production, and a stand-in for the inference API; then the
// worker, with the schedules synced. The worker acts on the cluster as its own ServiceAccount
// (deploy/rbac.yaml); every command a workflow runs, runs inside a container. Ctrl-C stops it all.
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startLocalStack } from '../stack/index.ts';
import { toolsDir } from '../stack/tools.ts';
import { payloadCodec } from './codec/data-converter.ts';
import { startCodecServer } from './codec/server.ts';
import { readWorkerConfig } from './config.ts';
import { installRuntime } from './runtime.ts';
import { runWorker } from './main.ts';

const stateDir = fileURLToPath(new URL('../.tools/state/', import.meta.url));
mkdirSync(`${stateDir}minio`, { recursive: true });
// A local backup key, made once and kept with the rest of the local state.
const keyFile = `${stateDir}backup.key`;
if (!existsSync(keyFile)) writeFileSync(keyFile, randomBytes(32).toString('base64'), { mode: 0o600 });
// And a payload key: history on the local server is sealed as in production; the UI reads it
// through the codec server below.
const payloadKeyFile = `${stateDir}payload.key`;
if (!existsSync(payloadKeyFile)) writeFileSync(payloadKeyFile, randomBytes(32).toString('base64'), { mode: 0o600 });
const codecUrl = 'http://127.0.0.1:8234';
// The shipped configuration, as deploy/ mounts it (PNO_CONFIG_FILE overrides).
const configFile =
  process.env.PNO_CONFIG_FILE || fileURLToPath(new URL('../config/pno-maintenance.yaml', import.meta.url));
// The settings `./ops pno` reads while the embedded default runs (ops loads them when none are set).
const cliEnvFile = `${stateDir}pno-cli.env`;

// The committed fixture model and its validation set stand in for the served ones. They stay in
// test/fixtures/model/ with the broken variants that test/fixtures/model/generate.py makes from them.
const fixtureModel = fileURLToPath(new URL('../test/fixtures/model/pno.onnx', import.meta.url));
const fixtureValidationSet = fileURLToPath(new URL('../test/fixtures/model/validation_set.npz', import.meta.url));

// trivy writes into its cache: a copy of the fixture DB that setup built, kept with the local state.
const trivyCache = `${stateDir}trivy-cache`;
if (!existsSync(trivyCache)) cpSync(`${toolsDir}/share/trivy-fixture-db`, trivyCache, { recursive: true });

// The worker's /metrics, as deploy/worker.yaml serves it (PNO_METRICS_ADDRESS overrides).
const metricsAddress = process.env.PNO_METRICS_ADDRESS || '127.0.0.1:9464';
const runtime = await installRuntime({ logLevel: 'INFO', metrics: true });
const { logger } = runtime;
const started = performance.now();
const stack = await startLocalStack({
  temporal: { port: 7233, uiPort: 8233, dbFilename: `${stateDir}temporal.db`, uiCodecEndpoint: codecUrl },
  minio: { dataDir: `${stateDir}minio` },
  bucket: 'pno-backups',
  servedModel: fixtureModel,
  inferenceApi: true,
});
const { minio, cluster, node, inferenceApi: api, workerKubeconfig: kubeconfig } = stack;

try {
  const config = readWorkerConfig({
    ...process.env,
    TEMPORAL_ADDRESS: '127.0.0.1:7233',
    TEMPORAL_NAMESPACE: 'default',
    PNO_SYNC_SCHEDULES: 'true',
    PNO_CONFIG_FILE: configFile,
    PNO_METRICS_ADDRESS: metricsAddress,
    PNO_TEMPORAL_UI_URL: 'http://localhost:8233',
    PNO_API_URL: api.url,
    KUBECONFIG: kubeconfig,
    S3_ENDPOINT: minio.endpoint,
    S3_REGION: minio.region,
    AWS_ACCESS_KEY_ID: minio.accessKeyId,
    AWS_SECRET_ACCESS_KEY: minio.secretAccessKey,
    PNO_BACKUP_KEY_FILE: keyFile,
    PNO_PAYLOAD_KEY_FILE: payloadKeyFile,
    PNO_MODEL_PATH: fixtureModel,
    PNO_VALIDATION_SET_PATH: fixtureValidationSet,
    // The trivy setup built (scripts/tools/ensure-trivy.sh), unless one is configured. It never goes
    // online: the fixture vulnerability DB stands in for the real one (which needs internet), and the
    // images come from the real node's containerd, never from their registry.
    PNO_TRIVY_PATH: process.env.PNO_TRIVY_PATH ?? `${toolsDir}/bin/trivy`,
    PNO_TRIVY_OFFLINE: 'true',
    PNO_TRIVY_CACHE_DIR: trivyCache,
    PNO_TRIVY_IMAGE_SRC: 'containerd',
    PNO_TRIVY_CONTAINERD_ADDRESS: node.containerdSocket,
  });
  const codec = await startCodecServer({
    codec: payloadCodec(config.payloadKeys!),
    port: Number(new URL(codecUrl).port),
    allowOrigins: ['http://localhost:8233', 'http://127.0.0.1:8233'],
  });
  // What `./ops pno …` connects with while this runs (the operator CLI reads the worker's settings).
  writeFileSync(
    cliEnvFile,
    Object.entries({
      TEMPORAL_ADDRESS: '127.0.0.1:7233',
      TEMPORAL_NAMESPACE: 'default',
      S3_ENDPOINT: minio.endpoint,
      S3_REGION: minio.region,
      S3_BUCKET: config.s3.bucket,
      AWS_ACCESS_KEY_ID: minio.accessKeyId,
      AWS_SECRET_ACCESS_KEY: minio.secretAccessKey,
      PNO_CONFIG_FILE: configFile,
      PNO_BACKUP_KEY_FILE: keyFile,
      PNO_PAYLOAD_KEY_FILE: payloadKeyFile,
    })
      .map(([name, value]) => `${name}=${value}\n`)
      .join(''),
    { mode: 0o600 },
  );
  // The SDK's S3 client and the Kubernetes client read these from the environment.
  Object.assign(process.env, {
    KUBECONFIG: kubeconfig,
    AWS_ACCESS_KEY_ID: minio.accessKeyId,
    AWS_SECRET_ACCESS_KEY: minio.secretAccessKey,
  });

  process.stdout.write(
    [
      '',
      `PNO maintenance is running on the embedded default (local stack up in ${((performance.now() - started) / 1000).toFixed(1)} s).`,
      '  Temporal Web UI:   http://localhost:8233 (payloads sealed; the UI decodes them through the codec server)',
      `  Codec server:      ${codec.url} (temporal workflow show --codec-endpoint ${codec.url} -w <id>)`,
      '  Temporal server:   127.0.0.1:7233 (namespace default, task queue pno-maintenance)',
      `  Kubernetes API:    ${cluster.server} (admin kubeconfig: ${cluster.adminKubeconfig})`,
      `  Real node:         ${node.name} at ${node.ip} (containerd) runs namespace production; metrics.k8s.io served`,
      `  kubectl:           ${toolsDir}/bin/kubectl --kubeconfig ${cluster.adminKubeconfig} top pods -n production`,
      `  S3 (MinIO):        ${minio.endpoint} bucket pno-backups`,
      `  Operator CLI:      ./ops pno backup list (connects with ${cliEnvFile})`,
      `  Inference API:     ${api.url} (local stand-in)`,
      `  Worker metrics:    http://${metricsAddress}/metrics (the product's figures and the SDK's)`,
      "  Image scans:       offline, images from the node's containerd, the fixture vulnerability DB",
      "  Try: temporal workflow start --task-queue pno-maintenance --type healthCheckWorkflow --input '{}'",
      'Ctrl-C stops it.',
      '',
    ].join('\n') + '\n',
  );
  try {
    await runWorker(config, runtime);
  } finally {
    await codec.close();
  }
} finally {
  await stack.stop();
  logger.info('stopped');
}

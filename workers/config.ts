// Typed worker configuration from the environment. Every problem is reported at once, naming the
// variable, before anything connects.
import { readFileSync } from 'node:fs';
import type { LogLevel } from '@temporalio/common';
import { BackupKeyError, loadBackupKey, loadRetiredKeys, type BackupKey } from '../activities/archive/keys.ts';
import { IMAGE_SOURCES, type ImageSource, type TrivyConfig } from '../activities/security/trivy.ts';
import { ProductConfigError, readProductConfig } from '../config/load.ts';
import type { PayloadKeys } from './codec/data-converter.ts';
import { defaultProductConfig, type ProductConfig } from '../config/schema.ts';

export interface TemporalSettings {
  address: string;
  namespace: string;
  /** Temporal Cloud API key; implies TLS. Kept out of logs. */
  apiKey?: string;
  tls?: { clientCertPath?: string; clientKeyPath?: string; serverCaPath?: string; serverName?: string };
}

export interface WorkerConfig {
  temporal: TemporalSettings;
  /** The configuration file (PNO_CONFIG_FILE; unset: every default): service, commands, retention, schedules. */
  product: ProductConfig;
  logLevel: LogLevel;
  /** Prebuilt workflow bundle for production; unset means bundle from source at start. */
  workflowBundlePath?: string;
  /** Inference API probed when a workflow leaves its URL empty. */
  apiBaseUrl?: string;
  /** Prometheus' base URL (PNO_PROMETHEUS_URL): the latency the daily analysis and the performance optimizer read; unset, they probe. */
  prometheusUrl?: string;
  /** Alert sinks; neither set means alerts are logged and reported as delivered nowhere. */
  alerts: { alertmanagerUrl?: string; webhookUrl?: string; uiBaseUrl?: string };
  /** Reconcile the product's schedules when the worker starts. */
  syncSchedules: boolean;
  /** ONNX model checked when a workflow leaves the model path empty. */
  modelPath?: string;
  /** Validation set (.npz with X and y) used when a workflow leaves its path empty. */
  validationSetPath?: string;
  /** Where the inference pods keep their models (backed up and restored by path in the pod). */
  modelsDir: string;
  /** Backup store; credentials come from the AWS default chain (AWS_ACCESS_KEY_ID, IRSA, ...). */
  s3: { endpoint?: string; region: string; bucket: string };
  /** From PNO_BACKUP_KEY or PNO_BACKUP_KEY_FILE; unset means backup and verify refuse to run. */
  backupKey?: BackupKey;
  /** Keys rotated out (PNO_BACKUP_RETIRED_KEYS_FILE): backups they sealed stay readable. */
  retiredKeys: BackupKey[];
  /**
   * The payload key (PNO_PAYLOAD_KEY or _FILE) and the ones rotated out (PNO_PAYLOAD_RETIRED_KEYS_FILE):
   * set, every payload the worker and its clients send is sealed (workers/codec/).
   */
  payloadKeys?: PayloadKeys;
  /** Where a recovery stages its backup on local disk, and at most how much (PNO_RESTORE_STAGE_DIR, _LIMIT_MIB). */
  restoreStage?: { dir?: string; limitBytes?: number };
  /** Where `/metrics` is served (PNO_METRICS_ADDRESS, `host:port`): the product's figures and the SDK's; unset means none. */
  metricsAddress?: string;
  /** The scanner: PNO_TRIVY_PATH (default `trivy` on PATH), its cache, offline mode, a DB mirror, image sources. */
  trivy: TrivyConfig & { offline: boolean };
}

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid worker configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** `host:port` with a port up to 65535 (`[::]:9464` for IPv6); port 0 takes a free one (logged). */
export function isListenAddress(value: string): boolean {
  const match = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(value);
  return match !== null && Number(match[2]) <= 65535;
}

const logLevels: readonly LogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'];

export function readWorkerConfig(env: NodeJS.ProcessEnv): WorkerConfig {
  const problems: string[] = [];
  const text = (name: string) => {
    const value = env[name]?.trim();
    return value === '' ? undefined : value;
  };
  const checkReadable = (name: string, path: string) => {
    try {
      readFileSync(path);
    } catch (err) {
      problems.push(`${name}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  };
  const file = (name: string) => {
    const path = text(name);
    if (path === undefined) return undefined;
    checkReadable(name, path);
    return path;
  };
  const flag = (name: string, fallback: boolean) => {
    const value = text(name);
    if (value === undefined) return fallback;
    if (['1', 'true', 'yes'].includes(value.toLowerCase())) return true;
    if (['0', 'false', 'no'].includes(value.toLowerCase())) return false;
    problems.push(`${name}: must be true or false (got ${JSON.stringify(value)})`);
    return fallback;
  };

  const address = text('TEMPORAL_ADDRESS') ?? 'localhost:7233';
  if (!/^[A-Za-z0-9.\-[\]:]+:\d{1,5}$/.test(address)) {
    problems.push(`TEMPORAL_ADDRESS: must be host:port (got ${JSON.stringify(address)})`);
  }
  const namespace = text('TEMPORAL_NAMESPACE') ?? 'default';

  const logLevel = (text('LOG_LEVEL') ?? 'INFO').toUpperCase() as LogLevel;
  if (!logLevels.includes(logLevel))
    problems.push(`LOG_LEVEL: must be one of ${logLevels.join(', ')} (got ${logLevel})`);

  const apiBaseUrl = text('PNO_API_URL');
  if (apiBaseUrl !== undefined && !/^https?:\/\/[^\s/]+/.test(apiBaseUrl)) {
    problems.push(`PNO_API_URL: must be an http(s) URL (got ${JSON.stringify(apiBaseUrl)})`);
  }

  const httpUrl = (name: string) => {
    const value = text(name);
    if (value !== undefined && !/^https?:\/\/[^\s/]+/.test(value))
      problems.push(`${name}: must be an http(s) URL (got ${JSON.stringify(value)})`);
    return value;
  };
  const metricsAddress = text('PNO_METRICS_ADDRESS');
  if (metricsAddress !== undefined && !isListenAddress(metricsAddress))
    problems.push(`PNO_METRICS_ADDRESS: must be host:port, e.g. 0.0.0.0:9464 (got ${JSON.stringify(metricsAddress)})`);
  const alertmanagerUrl = httpUrl('PNO_ALERTMANAGER_URL');
  const webhookUrl = httpUrl('PNO_ALERT_WEBHOOK_URL');
  const uiBaseUrl = httpUrl('PNO_TEMPORAL_UI_URL');
  const prometheusUrl = httpUrl('PNO_PROMETHEUS_URL');

  const tlsEnabled = flag('TEMPORAL_TLS', false);
  const tls = {
    clientCertPath: file('TEMPORAL_TLS_CERT'),
    clientKeyPath: file('TEMPORAL_TLS_KEY'),
    serverCaPath: file('TEMPORAL_TLS_CA'),
    serverName: text('TEMPORAL_TLS_SERVER_NAME'),
  };
  if (Boolean(tls.clientCertPath) !== Boolean(tls.clientKeyPath)) {
    problems.push('TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY: set both for mTLS, or neither');
  }
  const apiKey = text('TEMPORAL_API_KEY');
  const anyTls = tlsEnabled || apiKey !== undefined || Object.values(tls).some((v) => v !== undefined);

  // The Kubernetes client reads $KUBECONFIG itself (else ~/.kube/config, else in-cluster); check it early.
  for (const path of (text('KUBECONFIG') ?? '').split(':').filter(Boolean)) checkReadable('KUBECONFIG', path);

  const s3Endpoint = text('S3_ENDPOINT');
  if (s3Endpoint !== undefined && !/^https?:\/\/[^\s/]+/.test(s3Endpoint)) {
    problems.push(`S3_ENDPOINT: must be an http(s) URL (got ${JSON.stringify(s3Endpoint)})`);
  }
  const s3Region = text('S3_REGION') ?? text('AWS_REGION') ?? 'us-east-1';
  if (!/^[a-z0-9-]+$/.test(s3Region))
    problems.push(`S3_REGION: must look like us-east-1 (got ${JSON.stringify(s3Region)})`);
  const s3Bucket = text('S3_BUCKET') ?? 'pno-backups';
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(s3Bucket)) {
    problems.push(
      `S3_BUCKET: must be 3-63 lowercase letters, digits, dots or hyphens (got ${JSON.stringify(s3Bucket)})`,
    );
  }
  let backupKey: BackupKey | undefined;
  let retiredKeys: BackupKey[] = [];
  try {
    backupKey = loadBackupKey(env);
  } catch (err) {
    if (!(err instanceof BackupKeyError)) throw err;
    problems.push(err.message);
  }
  try {
    retiredKeys = loadRetiredKeys(env);
  } catch (err) {
    if (!(err instanceof BackupKeyError)) throw err;
    problems.push(err.message);
  }

  let payloadKeys: PayloadKeys | undefined;
  try {
    const current = loadBackupKey(env, 'PNO_PAYLOAD_KEY');
    const retired = loadRetiredKeys(env, 'PNO_PAYLOAD_RETIRED_KEYS_FILE');
    if (current) payloadKeys = { current, retired };
    else if (retired.length > 0)
      problems.push('PNO_PAYLOAD_RETIRED_KEYS_FILE: needs PNO_PAYLOAD_KEY or PNO_PAYLOAD_KEY_FILE, the key that seals');
  } catch (err) {
    if (!(err instanceof BackupKeyError)) throw err;
    problems.push(err.message);
  }

  const modelsDir = text('PNO_MODELS_DIR');
  if (modelsDir !== undefined && !modelsDir.startsWith('/'))
    problems.push(`PNO_MODELS_DIR: must be an absolute path in the pod (got ${JSON.stringify(modelsDir)})`);

  const stageDir = text('PNO_RESTORE_STAGE_DIR');
  if (stageDir !== undefined && !stageDir.startsWith('/'))
    problems.push(`PNO_RESTORE_STAGE_DIR: must be an absolute path (got ${JSON.stringify(stageDir)})`);
  const stageLimit = text('PNO_RESTORE_STAGE_LIMIT_MIB');
  const stageLimitMiB = stageLimit === undefined ? undefined : Number(stageLimit);
  if (stageLimitMiB !== undefined && !(Number.isSafeInteger(stageLimitMiB) && stageLimitMiB > 0))
    problems.push(
      `PNO_RESTORE_STAGE_LIMIT_MIB: must be a whole number of MiB above 0 (got ${JSON.stringify(stageLimit)})`,
    );

  const trivyCacheDir = text('PNO_TRIVY_CACHE_DIR');
  if (trivyCacheDir !== undefined && !trivyCacheDir.startsWith('/'))
    problems.push(`PNO_TRIVY_CACHE_DIR: must be an absolute path (got ${JSON.stringify(trivyCacheDir)})`);
  const trivyDbRepository = text('PNO_TRIVY_DB_REPOSITORY');
  const imageSources = text('PNO_TRIVY_IMAGE_SRC')
    ?.split(',')
    .map((s) => s.trim());
  const unknownSources = (imageSources ?? []).filter((s) => !(IMAGE_SOURCES as readonly string[]).includes(s));
  if (unknownSources.length > 0)
    problems.push(`PNO_TRIVY_IMAGE_SRC: ${unknownSources.join(', ')} is not one of ${IMAGE_SOURCES.join(', ')}`);
  const containerdAddress = text('PNO_TRIVY_CONTAINERD_ADDRESS');
  if (containerdAddress !== undefined && !containerdAddress.startsWith('/'))
    problems.push(
      `PNO_TRIVY_CONTAINERD_ADDRESS: must be the absolute path of a socket (got ${JSON.stringify(containerdAddress)})`,
    );
  const trivy = {
    path: text('PNO_TRIVY_PATH') ?? 'trivy',
    ...(trivyCacheDir ? { cacheDir: trivyCacheDir } : {}),
    // Air-gapped workers: scan with the DB already in the cache, never try to download it.
    offline: flag('PNO_TRIVY_OFFLINE', false),
    ...(trivyDbRepository ? { dbRepository: trivyDbRepository } : {}),
    ...(imageSources && unknownSources.length === 0 ? { imageSources: imageSources as ImageSource[] } : {}),
    ...(containerdAddress
      ? { containerd: { address: containerdAddress, namespace: text('PNO_TRIVY_CONTAINERD_NAMESPACE') ?? 'k8s.io' } }
      : {}),
  };

  let product = defaultProductConfig();
  const productFile = text('PNO_CONFIG_FILE');
  if (productFile !== undefined) {
    try {
      product = readProductConfig(productFile);
    } catch (err) {
      if (!(err instanceof ProductConfigError)) throw err;
      problems.push(...err.problems.map((p) => `PNO_CONFIG_FILE ${productFile}: ${p}`));
    }
  }

  const config: WorkerConfig = {
    product,
    temporal: { address, namespace, ...(apiKey ? { apiKey } : {}), ...(anyTls ? { tls } : {}) },
    logLevel,
    workflowBundlePath: file('PNO_WORKFLOW_BUNDLE'),
    apiBaseUrl,
    ...(prometheusUrl ? { prometheusUrl } : {}),
    alerts: {
      ...(alertmanagerUrl ? { alertmanagerUrl } : {}),
      ...(webhookUrl ? { webhookUrl } : {}),
      ...(uiBaseUrl ? { uiBaseUrl } : {}),
    },
    syncSchedules: flag('PNO_SYNC_SCHEDULES', false),
    ...(metricsAddress ? { metricsAddress } : {}),
    // Unset: a model check with an empty path fails naming the variable (the embedded default sets both).
    modelPath: file('PNO_MODEL_PATH'),
    validationSetPath: file('PNO_VALIDATION_SET_PATH'),
    modelsDir: modelsDir ?? '/app/models',
    s3: { ...(s3Endpoint ? { endpoint: s3Endpoint } : {}), region: s3Region, bucket: s3Bucket },
    ...(backupKey ? { backupKey } : {}),
    retiredKeys,
    ...(payloadKeys ? { payloadKeys } : {}),
    restoreStage: {
      ...(stageDir ? { dir: stageDir } : {}),
      ...(stageLimitMiB ? { limitBytes: stageLimitMiB * 1024 ** 2 } : {}),
    },
    trivy,
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

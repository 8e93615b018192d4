// The production worker: reads configuration, connects, registers search attributes and (optionally)
// the schedules, then polls until SIGINT/SIGTERM, when the SDK drains in-flight work before exiting.
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { createActivities } from '../activities/index.ts';
import { kubeClientsFrom, loadKubeConfig } from '../activities/kubernetes/index.ts';
import { createS3Client, PATIENT_RETRIES } from '../activities/storage/index.ts';
import { syncSchedules } from '../schedules/sync.ts';
import { SCHEDULE_PREFIX, scheduleDefinitions } from '../schedules/definitions.ts';
import { ConfigError, readWorkerConfig, type WorkerConfig } from './config.ts';
import { productDataConverter } from './codec/data-converter.ts';
import { connectionOptions } from './connection.ts';
import { collectProductMetrics } from './metrics/product-metrics.ts';
import { startMetricsServer } from './metrics/server.ts';
import { installRuntime, type InstalledRuntime } from './runtime.ts';
import { ensureSearchAttributes } from './search-attributes.ts';
import { createProductWorker } from './worker.ts';

export async function runWorker(config: WorkerConfig, runtime: InstalledRuntime): Promise<void> {
  const { logger } = runtime;
  const options = connectionOptions(config.temporal);
  const { namespace } = config.temporal;
  const dataConverter = productDataConverter(config.payloadKeys);

  const client = await Connection.connect(options);
  let worker: Awaited<ReturnType<typeof createProductWorker>> | undefined;
  // Kept open while the worker runs when it serves metrics: they are read from the server's records.
  const metrics = config.metricsAddress
    ? await startMetricsServer({
        address: config.metricsAddress,
        collect: () => collectProductMetrics(new Client({ connection: client, namespace, dataConverter })),
        sdkMetricsUrl: runtime.sdkMetricsUrl,
        ready: () => worker?.getState() === 'RUNNING',
      })
    : undefined;
  if (metrics) logger.info('serving metrics', { url: metrics.url });
  try {
    const added = await ensureSearchAttributes(client, namespace).catch((err: unknown) => {
      // Temporal Cloud refuses this call; there the attributes are added in the Cloud UI or tcld.
      logger.warn('could not register search attributes; add them by hand', { error: String(err) });
      return [];
    });
    if (added.length > 0) logger.info('registered search attributes', { added });
    if (config.syncSchedules) {
      const changes = await syncSchedules(
        new Client({ connection: client, namespace, dataConverter }),
        scheduleDefinitions(config.product),
        SCHEDULE_PREFIX,
        { taskQueue: config.product.taskQueue },
      );
      logger.info('schedules synced', { ...changes });
    }
  } catch (err) {
    await metrics?.close();
    await client.close();
    throw err;
  }
  if (!metrics) await client.close();

  const connection = await NativeConnection.connect(options);
  try {
    const kube = kubeClientsFrom(loadKubeConfig());
    worker = await createProductWorker({
      connection,
      namespace,
      workflowBundlePath: config.workflowBundlePath,
      taskQueue: config.product.taskQueue,
      dataConverter,
      activities: createActivities({
        kube,
        http: { defaultApiBaseUrl: config.apiBaseUrl, prometheusUrl: config.prometheusUrl },
        alerts: config.alerts,
        trivy: config.trivy,
        modelsDir: config.modelsDir,
        restoreStage: config.restoreStage,
        commands: config.product.commands,
        security: config.product.security,
        model: { defaultModelPath: config.modelPath, defaultValidationSetPath: config.validationSetPath, kube },
        storage: {
          s3: createS3Client({ endpoint: config.s3.endpoint, region: config.s3.region, retry: PATIENT_RETRIES }),
          bucket: config.s3.bucket,
          backupKey: config.backupKey,
          retiredKeys: config.retiredKeys,
          retentionFloor: config.product.retention,
        },
      }),
    });
    logger.info('worker polling', {
      address: config.temporal.address,
      namespace,
      taskQueue: worker.options.taskQueue,
      payloads: config.payloadKeys ? `sealed with key ${config.payloadKeys.current.id}` : 'plain (no PNO_PAYLOAD_KEY)',
    });
    await worker.run();
  } finally {
    await connection.close();
    if (metrics) {
      await metrics.close();
      await client.close();
    }
  }
}

if (import.meta.main) {
  try {
    const config = readWorkerConfig(process.env);
    await runWorker(config, await installRuntime({ logLevel: config.logLevel, metrics: !!config.metricsAddress }));
  } catch (err) {
    process.stderr.write(`${err instanceof ConfigError ? err.message : String((err as Error).stack ?? err)}\n`);
    process.exit(1);
  }
}

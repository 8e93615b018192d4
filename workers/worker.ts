// Builds the product's worker: one task queue, the workflow bundle (prebuilt in production, from
// source in development) and the activities it is given.
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NativeConnection } from '@temporalio/worker';
import { Worker, type WorkerOptions } from '@temporalio/worker';
import type { DataConverter } from '@temporalio/common';
import { TASK_QUEUE } from '../types/index.ts';
import type { Activities } from '../activities/index.ts';

export const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));
/** Bundled with the workflows and loaded by the worker: `.ts` from source, `.js` once built. */
export const failureConverterPath = fileURLToPath(
  new URL(`./codec/failure-converter${extname(fileURLToPath(import.meta.url))}`, import.meta.url),
);

export interface ProductWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  activities: Partial<Activities>;
  workflowBundlePath?: string;
  taskQueue?: string;
  /** The payload codec, when the payload key is configured (productDataConverter); failures are always encoded. */
  dataConverter?: DataConverter;
  /** Extra options for tests (e.g. a shorter shutdown grace time). */
  overrides?: Partial<WorkerOptions>;
}

export async function createProductWorker(options: ProductWorkerOptions): Promise<Worker> {
  const workflows = options.workflowBundlePath
    ? { workflowBundle: { codePath: options.workflowBundlePath } }
    : { workflowsPath };
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue ?? TASK_QUEUE,
    activities: options.activities,
    // A prebuilt bundle was built with the same failure converter (build-bundle.ts).
    dataConverter: { ...options.dataConverter, failureConverterPath },
    ...workflows,
    // Long activities (backups, rollouts) get time to finish or to notice cancellation on shutdown.
    shutdownGraceTime: '30 seconds',
    // A cancellation (a maintenance window's end, an operator) reaches a running activity with its next
    // heartbeat: at most 5 s later rather than 80% of its heartbeat timeout.
    maxHeartbeatThrottleInterval: '5 seconds',
    ...options.overrides,
  });
}

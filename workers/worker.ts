// Builds the product's worker: one task queue, the workflow bundle (prebuilt in production, from
// source in development) and the activities it is given.
import { fileURLToPath } from 'node:url';
import type { NativeConnection } from '@temporalio/worker';
import { Worker, type WorkerOptions } from '@temporalio/worker';
import type { DataConverter } from '@temporalio/common';
import { TASK_QUEUE } from '../types/index.ts';
import type { Activities } from '../activities/index.ts';

export const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

export interface ProductWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  activities: Partial<Activities>;
  workflowBundlePath?: string;
  taskQueue?: string;
  /** The payload codec, when the payload key is configured (productDataConverter). */
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
    ...(options.dataConverter ? { dataConverter: options.dataConverter } : {}),
    ...workflows,
    // Long activities (backups, rollouts) get time to finish or to notice cancellation on shutdown.
    shutdownGraceTime: '30 seconds',
    ...options.overrides,
  });
}

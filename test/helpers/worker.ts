// Runs a product worker on a fresh task queue against any Temporal server, for one piece of work.
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { NativeConnection, type Worker } from '@temporalio/worker';
import type { Activities } from '../../activities/index.ts';
import { createProductWorker } from '../../workers/worker.ts';

export interface ServerRef {
  address: string;
  namespace: string;
  /** Prebuilt bundle; without it the worker bundles from source (slower). */
  workflowBundlePath?: string;
}

export interface WorkerContext {
  client: Client;
  taskQueue: string;
  worker: Worker;
}

export async function withWorkerAt<R>(
  server: ServerRef,
  activities: Partial<Activities>,
  body: (ctx: WorkerContext) => Promise<R>,
  client?: Client,
  taskQueue = `test-${randomUUID()}`,
  /** The payload codec for the worker and, when no client is given, for its own client. */
  dataConverter?: DataConverter,
): Promise<R> {
  const connection = await NativeConnection.connect({ address: server.address });
  const ownClient = client ? undefined : await Connection.connect({ address: server.address });
  try {
    const worker = await createProductWorker({
      connection,
      namespace: server.namespace,
      activities,
      taskQueue,
      workflowBundlePath: server.workflowBundlePath,
      ...(dataConverter ? { dataConverter } : {}),
      overrides: { shutdownGraceTime: '1 second' },
    });
    const workflowClient =
      client ??
      new Client({ connection: ownClient!, namespace: server.namespace, ...(dataConverter ? { dataConverter } : {}) });
    return await worker.runUntil(body({ client: workflowClient, taskQueue, worker }));
  } finally {
    await connection.close();
    await ownClient?.close();
  }
}

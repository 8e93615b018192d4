// Test access to the real dev server started by global setup: a client, and a worker on a task
// queue of its own for the duration of one test.
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { inject } from 'vitest';
import type { Activities } from '../../activities/index.ts';
import { createProductWorker } from '../../workers/worker.ts';

let clientPromise: Promise<Client> | undefined;

export function testClient(): Promise<Client> {
  clientPromise ??= Connection.connect({ address: inject('temporalAddress') }).then(
    (connection) => new Client({ connection, namespace: inject('temporalNamespace') }),
  );
  return clientPromise;
}

export interface WorkerContext {
  client: Client;
  taskQueue: string;
  worker: Worker;
}

/** Runs `body` while a worker with these activities polls a fresh task queue, then shuts it down. */
export async function withWorker<R>(activities: Partial<Activities>, body: (ctx: WorkerContext) => Promise<R>): Promise<R> {
  const connection = await NativeConnection.connect({ address: inject('temporalAddress') });
  try {
    const taskQueue = `test-${randomUUID()}`;
    const worker = await createProductWorker({
      connection,
      namespace: inject('temporalNamespace'),
      activities,
      taskQueue,
      workflowBundlePath: inject('workflowBundlePath'),
      overrides: { shutdownGraceTime: '1 second' },
    });
    const client = await testClient();
    return await worker.runUntil(body({ client, taskQueue, worker }));
  } finally {
    await connection.close();
  }
}

/** A workflow's history events with their type names (EVENT_TYPE_…), in order. */
export async function historyEvents(client: Client, workflowId: string) {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).map((event) => ({
    ...event,
    typeName: temporal.api.enums.v1.EventType[event.eventType ?? 0] ?? 'unknown',
  }));
}

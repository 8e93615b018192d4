// Test access to the real dev server started by global setup: a shared client, and a worker on a
// task queue of its own for the duration of one test.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
// @temporalio/proto is CommonJS; its namespace object is the default export under ESM.
import proto from '@temporalio/proto';
import { inject } from 'vitest';
import type { Activities } from '../../activities/index.ts';
import { withWorkerAt, type WorkerContext } from './worker.ts';

export type { WorkerContext } from './worker.ts';

let clientPromise: Promise<Client> | undefined;

export function testClient(): Promise<Client> {
  clientPromise ??= Connection.connect({ address: inject('temporalAddress') }).then(
    (connection) => new Client({ connection, namespace: inject('temporalNamespace') }),
  );
  return clientPromise;
}

/** Runs `body` while a worker with these activities polls a fresh (or the given) task queue, then shuts it down. */
export async function withWorker<R>(
  activities: Partial<Activities>,
  body: (ctx: WorkerContext) => Promise<R>,
  /** With a data converter the worker and its own client seal payloads (the shared client stays plain). */
  options: { taskQueue?: string; dataConverter?: DataConverter } = {},
): Promise<R> {
  const server = {
    address: inject('temporalAddress'),
    namespace: inject('temporalNamespace'),
    workflowBundlePath: inject('workflowBundlePath'),
  };
  if (options.dataConverter)
    return withWorkerAt(server, activities, body, undefined, options.taskQueue, options.dataConverter);
  return withWorkerAt(server, activities, body, await testClient(), options.taskQueue);
}

/** The `temporal` CLI against the test server, as an operator runs it; resolves to its output. */
export const temporalCli = (args: string[]) =>
  promisify(execFile)(process.env.TEMPORAL_CLI_PATH ?? 'temporal', [
    ...args,
    '--address',
    inject('temporalAddress'),
    '--namespace',
    inject('temporalNamespace'),
  ]);

/** Resets a workflow to its first task, re-applying no signal or update; resolves to the new run id. */
export async function resetToStart(workflowId: string, reason: string): Promise<string> {
  const reset = await temporalCli([
    'workflow',
    'reset',
    '--workflow-id',
    workflowId,
    '--type',
    'FirstWorkflowTask',
    '--reason',
    reason,
    '--reapply-exclude',
    'All',
    '--output',
    'json',
  ]);
  return (JSON.parse(reset.stdout) as { runId: string }).runId;
}

/** A workflow's history events with their type names (EVENT_TYPE_…), in order. */
export async function historyEvents(client: Client, workflowId: string) {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).map((event) => ({
    ...event,
    typeName: proto.temporal.api.enums.v1.EventType[event.eventType ?? 0] ?? 'unknown',
  }));
}

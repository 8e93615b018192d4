// `pno watch|approvals|restore`: following a run by its `progress` query, the runs waiting for a
// decision, the decision itself (the `approve` update, answered at once), and a restore started
// under a readable id.
import {
  WorkflowFailedError,
  type Client,
  type WorkflowExecutionDescription,
  type WorkflowHandleWithFirstExecutionRunId,
  type WorkflowStartOptions,
} from '@temporalio/client';
import type { Payload, Workflow } from '@temporalio/common';
import type { Progress } from '../types/index.ts';
import { approveUpdate, decisionCommands } from '../workflows/shared/approval.ts';
import { progressQuery } from '../workflows/shared/progress.ts';
import type { disasterRecoveryWorkflow, restoreDrillWorkflow } from '../workflows/index.ts';
import { age, bytes, table, type CliContext } from './context.ts';
import { readableRunId, type RunKind } from './run-ids.ts';

/** Workflow types that can stop and wait for a person. */
const GATED_TYPES = ['disasterRecoveryWorkflow', 'securityUpdateWorkflow'];
const AWAITING = 'awaiting approval';

export class RunFailed extends Error {
  override name = 'RunFailed';
}

const progressLine = (p: Progress) => {
  const width = 20;
  const filled = p.stepsTotal > 0 ? Math.round((p.stepsDone / p.stepsTotal) * width) : 0;
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${p.stepsDone}/${p.stepsTotal} ${p.phase}${p.detail ? `: ${p.detail}` : ''}`;
};

/** Prints each new progress until the run closes; a failed run ends with RunFailed (exit 1). */
export async function watchRun(ctx: CliContext, workflowId: string, pollMs = 1000): Promise<void> {
  const client = await ctx.temporal();
  const handle = client.workflow.getHandle(workflowId);
  let last = '';
  for (;;) {
    const description = await handle.describe();
    if (description.status.name !== 'RUNNING') break;
    const progress = await handle.query(progressQuery).catch(() => undefined);
    const beat = await heartbeatOf(client, description).catch(() => undefined);
    const line = `${progress ? progressLine(progress) : 'starting'}${beat ? ` · ${beat}` : ''}`;
    if (line !== last) ctx.note(line);
    last = line;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  try {
    const result: unknown = await handle.result();
    ctx.json({ workflowId, status: 'COMPLETED', result });
    ctx.line(`${workflowId}: completed`);
  } catch (err) {
    if (!(err instanceof WorkflowFailedError)) throw err;
    const why = err.cause?.message ?? err.message;
    ctx.json({ workflowId, status: 'FAILED', failure: why });
    throw new RunFailed(`${workflowId}: failed: ${why}`);
  }
}

/** The running activity's last heartbeat (a backup's or restore's bytes so far), decoded like any payload. */
async function heartbeatOf(client: Client, description: WorkflowExecutionDescription): Promise<string | undefined> {
  const pending = description.raw.pendingActivities?.find((a) => a.heartbeatDetails?.payloads?.length);
  if (!pending) return undefined;
  const { payloadCodecs, payloadConverter } = client.options.loadedDataConverter;
  let payloads = pending.heartbeatDetails!.payloads as Payload[];
  for (const codec of [...payloadCodecs].reverse()) payloads = await codec.decode(payloads);
  const details = payloadConverter.fromPayload<Record<string, unknown>>(payloads[0]!);
  const facts = Object.entries(details ?? {})
    .filter(([, v]) => typeof v === 'number' || typeof v === 'string')
    .map(([k, v]) => (typeof v === 'number' && /bytes/i.test(k) ? `${k} ${bytes(v)}` : `${k} ${String(v)}`));
  return `${pending.activityType?.name ?? 'activity'}${facts.length > 0 ? ` ${facts.join(', ')}` : ''}`;
}

export interface PendingApproval {
  workflowId: string;
  workflowType: string;
  startedAt: string;
  /** What approving it would change, as the run says. */
  detail: string;
  approveCommand: string;
}

export async function pendingApprovals(client: Client): Promise<PendingApproval[]> {
  const types = GATED_TYPES.map((t) => `WorkflowType = '${t}'`).join(' OR ');
  const pending: PendingApproval[] = [];
  for await (const run of client.workflow.list({ query: `ExecutionStatus = 'Running' AND (${types})` })) {
    const progress = await client.workflow
      .getHandle(run.workflowId, run.runId)
      .query(progressQuery)
      .catch(() => undefined);
    if (progress?.phase !== AWAITING) continue;
    pending.push({
      workflowId: run.workflowId,
      workflowType: run.type,
      startedAt: run.startTime.toISOString(),
      detail: progress.detail ?? '',
      approveCommand: decisionCommands(run.workflowId).approve,
    });
  }
  return pending;
}

export async function printApprovals(ctx: CliContext): Promise<void> {
  const pending = await pendingApprovals(await ctx.temporal());
  ctx.json(pending);
  const rows = pending.map((p) => [p.workflowId, p.workflowType, age(new Date(p.startedAt)), p.detail]);
  for (const line of table(['WORKFLOW ID', 'TYPE', 'WAITING', 'WOULD CHANGE'], rows)) ctx.line(line);
  if (pending.length === 0) ctx.note('nothing waits for approval');
}

export class DecisionRefused extends Error {
  override name = 'DecisionRefused';
}

/** Sends the `approve` update; the run's validator refuses a run that is not waiting, or decided. */
export async function decide(
  ctx: CliContext,
  workflowId: string,
  decision: { approve: boolean; by: string; reason?: string },
): Promise<void> {
  const handle = (await ctx.temporal()).workflow.getHandle(workflowId);
  try {
    const answer = await handle.executeUpdate(approveUpdate, { args: [decision] });
    ctx.json(answer);
    ctx.line(`${workflowId}: ${decision.approve ? 'approved' : 'rejected'} by ${decision.by}`);
  } catch (err) {
    const message = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
    throw new DecisionRefused(`${workflowId}: ${message}`);
  }
}

export interface CreateRestore {
  from: string;
  to: string;
  wait: boolean;
}

/**
 * Starts `workflowType` on the configured task queue as `<kind>-<namespace>-<UTC time>` and says how
 * to follow it; without `wait`, prints the id (the command's output) and returns no handle.
 */
export async function startRun<W extends Workflow>(
  ctx: CliContext,
  run: { kind: RunKind; namespace: string; workflowType: string; args: Parameters<W>; wait: boolean },
): Promise<WorkflowHandleWithFirstExecutionRunId<W> | undefined> {
  const workflowId = readableRunId(run.kind, run.namespace, new Date());
  const client = await ctx.temporal();
  const handle = await client.workflow.start<W>(run.workflowType, {
    taskQueue: ctx.config.product.taskQueue,
    workflowId,
    args: run.args,
    // The SDK types args conditionally on the workflow; for a generic W it cannot see they match.
  } as unknown as WorkflowStartOptions<W>);
  ctx.note(`started ${workflowId} (pno watch ${workflowId})`);
  if (run.wait) return handle;
  ctx.json({ workflowId, runId: handle.firstExecutionRunId });
  ctx.line(workflowId);
  return undefined;
}

/** Starts disasterRecoveryWorkflow from `latest` or a backup key as `restore-<namespace>-<UTC time>`. */
export async function createRestore(ctx: CliContext, options: CreateRestore): Promise<void> {
  const handle = await startRun<typeof disasterRecoveryWorkflow>(ctx, {
    kind: 'restore',
    namespace: options.to,
    workflowType: 'disasterRecoveryWorkflow',
    args: [{ backupKey: options.from, targetNamespace: options.to }],
    wait: options.wait,
  });
  if (handle) await watchRun(ctx, handle.workflowId);
}

/** Starts restoreDrillWorkflow on the service's namespace as `drill-<namespace>-<UTC time>`. */
export async function runDrill(ctx: CliContext, options: { wait: boolean }): Promise<void> {
  const source = ctx.config.product.service.namespace;
  const handle = await startRun<typeof restoreDrillWorkflow>(ctx, {
    kind: 'drill',
    namespace: source,
    workflowType: 'restoreDrillWorkflow',
    args: [{ sourceNamespace: source }],
    wait: options.wait,
  });
  if (handle) await watchRun(ctx, handle.workflowId);
}

// The durable loop both optimizers share. One long-running workflow samples every `intervalSeconds`
// on a workflow timer and keeps the 24-hour window in its own state; every `samplesPerRun` samples it
// continues as new, carrying the window (bounded to 288 samples), so history stays short and the
// window survives worker restarts without a store of its own. Changes are applied only with
// `apply: true` or through the `approve` update, which applies what is pending.
import {
  ActivityFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  defineQuery,
  defineUpdate,
  patched,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { z } from 'zod';
import type { Activities } from '../../activities/index.ts';
import { FailureType, type HpaSnapshot, type LatencyReading } from '../../types/index.ts';
import { parseInput } from '../shared/input.ts';
import type { OptimizerInput, ParsedOptimizerInput } from './input.ts';
import {
  addToWindow,
  autoApplicable,
  inCooldown,
  operationFor,
  sampleFrom,
  type Recommendation,
  type RecommendationAction,
  type UsageSample,
} from './policy.ts';
import { markRun, progressQuery } from '../shared/progress.ts';
import { alerts, clusterChanges, reads, records } from '../shared/activities.ts';

export { optimizerDefaults, type OptimizerInput } from './input.ts';

export type OptimizerKind = 'auto-scaling' | 'performance';

export interface AppliedChange {
  action: RecommendationAction;
  reason: string;
  /** `auto` with `apply: true`; `approved` through the approve update. */
  how: 'auto' | 'approved';
  at: string;
  outcome: 'applied' | 'unchanged' | 'failed';
  detail: string;
}

/** What one run hands the next through continue-as-new. */
export interface OptimizerState {
  window: UsageSample[];
  hpa: HpaSnapshot | null;
  pending: Recommendation[];
  lastApplied: Partial<Record<RecommendationAction, string>>;
  /** The latest changes, newest last (at most 20). */
  changes: AppliedChange[];
  samplesTaken: number;
  lastError: string | null;
  /** Where the latest latency figure came from, or why there was none (optimizers that sample it). */
  latency?: string;
}

export interface OptimizerStatus {
  kind: OptimizerKind;
  apply: boolean;
  samplesTaken: number;
  windowSize: number;
  latest: UsageSample | null;
  pending: Recommendation[];
  changes: AppliedChange[];
  lastError: string | null;
  /** Where the latest latency figure came from, or why there was none; null when this optimizer reads none. */
  latency: string | null;
}

/** What tells one optimizer from the other: its input, its policy, and whether it samples latency. */
export interface OptimizerDefinition<I extends ParsedOptimizerInput> {
  kind: OptimizerKind;
  workflowName: string;
  schema: z.ZodType<I>;
  recommend(window: UsageSample[], hpa: HpaSnapshot | undefined, input: I): Recommendation[];
  /** The Prometheus query of the service's p95 latency, for an optimizer that samples it. */
  latencyQuery?(input: I): string;
}

export const optimizerStatusQuery = defineQuery<OptimizerStatus>('optimizerStatus');
export interface ApproveRequest {
  /** The actions to apply; unset applies everything pending. */
  actions?: RecommendationAction[];
}

/** Applies the pending recommendations (all, or the named actions) now, whatever `apply` says. */
export const approveUpdate = defineUpdate<AppliedChange[], [ApproveRequest]>('approve');

const MAX_CHANGES_KEPT = 20;

export async function runSamplingOptimizer<I extends ParsedOptimizerInput>(
  definition: OptimizerDefinition<I>,
  rawInput: unknown,
): Promise<OptimizerStatus> {
  const { kind } = definition;
  const input: I = parseInput(definition.schema, definition.workflowName, rawInput);
  const latencyQuery = definition.latencyQuery?.(input);
  markRun(`${kind}-optimizer`, input.namespace);
  const state: OptimizerState = input.state ?? {
    window: [],
    hpa: null,
    pending: [],
    lastApplied: {},
    changes: [],
    samplesTaken: 0,
    lastError: null,
  };
  // Progress counts samples across continue-as-new; stepsTotal 0 means "until cancelled".
  let phase = 'sampling';
  const { workflowId } = workflowInfo();
  const target = {
    namespace: input.namespace,
    deployment: input.deployment,
    hpaName: input.hpaName,
    container: input.container,
  };

  const status = (): OptimizerStatus => ({
    kind,
    apply: input.apply,
    samplesTaken: state.samplesTaken,
    windowSize: state.window.length,
    latest: state.window.at(-1) ?? null,
    pending: state.pending,
    changes: state.changes,
    lastError: state.lastError,
    latency: state.latency ?? null,
  });
  const failed = (err: unknown): string => {
    if (!(err instanceof ActivityFailure)) throw err;
    return err.cause?.message ?? err.message;
  };

  async function applyOne(rec: Recommendation, how: AppliedChange['how']): Promise<AppliedChange> {
    const at = new Date().toISOString();
    const operation = operationFor(rec, target, state.hpa ?? undefined);
    const change = (outcome: AppliedChange['outcome'], detail: string): AppliedChange => ({
      action: rec.action,
      reason: rec.reason,
      how,
      at,
      outcome,
      detail,
    });
    if (operation.activity === 'none') return change('unchanged', operation.why);
    try {
      if (operation.activity === 'patchHpa') {
        const { after } = await clusterChanges.patchHpa({
          namespace: input.namespace,
          name: input.hpaName,
          changes: operation.changes,
        });
        state.hpa = after;
        return change('applied', `HPA ${input.hpaName} now ${after.minReplicas}..${after.maxReplicas} replicas`);
      }
      const applied = await clusterChanges.applyManifests({ yaml: operation.yaml });
      return change('applied', `applied ${applied.map((o) => `${o.kind} ${o.namespace}/${o.name}`).join(', ')}`);
    } catch (err) {
      return change('failed', failed(err));
    }
  }

  async function applyAll(recs: Recommendation[], how: AppliedChange['how']): Promise<AppliedChange[]> {
    const changes: AppliedChange[] = [];
    for (const rec of recs) {
      const change = await applyOne(rec, how);
      changes.push(change);
      if (change.outcome === 'applied') state.lastApplied[rec.action] = change.at;
    }
    const done = new Set(changes.filter((c) => c.outcome !== 'failed').map((c) => c.action));
    state.pending = state.pending.filter((r) => !done.has(r.action));
    state.changes = [...state.changes, ...changes].slice(-MAX_CHANGES_KEPT);
    await notify([], changes);
    return changes;
  }

  /** Tells people about recommendations awaiting approval and about changes made; never fails the loop. */
  async function notify(fresh: Recommendation[], changes: AppliedChange[]): Promise<void> {
    const base = { service: input.service, details: {} };
    const messages = [
      ...fresh.map((rec) => ({
        ...base,
        type: 'optimizer_recommendation',
        severity: 'info' as const,
        summary: `${kind} optimizer recommends ${rec.action} (${rec.urgency}): ${rec.reason}. Approve with the "approve" update on ${workflowId}.`,
        details: { ...rec },
        dedupKey: `optimizer:${kind}:${input.namespace}:${rec.action}`,
      })),
      ...changes
        .filter((c) => c.outcome !== 'unchanged')
        .map((c) => ({
          ...base,
          type: 'optimizer_change',
          severity: c.outcome === 'applied' ? ('info' as const) : ('warning' as const),
          summary: `${kind} optimizer ${c.outcome === 'applied' ? 'applied' : 'failed to apply'} ${c.action} (${c.how}): ${c.detail}`,
          details: { ...c },
          dedupKey: `optimizer:${kind}:${input.namespace}:${c.action}:${c.at}`,
        })),
    ];
    for (const message of messages) {
      await alerts.sendAlert(message).catch((err: unknown) => {
        state.lastError = `alert: ${failed(err)}`;
      });
    }
  }

  /** The p95 from Prometheus; a reading that fails is a reason, never a lost sample. */
  async function readLatency(): Promise<LatencyReading | undefined> {
    if (latencyQuery === undefined || !patched('optimizer-reads-latency')) return undefined;
    return reads
      .readLatencyP95({ query: latencyQuery, timeoutMs: 10_000 })
      .catch((err: unknown): LatencyReading => ({ source: 'none', reason: failed(err) }));
  }

  async function cycle(): Promise<void> {
    const now = new Date();
    let metrics: Awaited<ReturnType<Activities['podMetrics']>>;
    let hpa: HpaSnapshot | undefined;
    let latency: LatencyReading | undefined;
    try {
      [metrics, hpa, latency] = await Promise.all([
        reads.podMetrics({ namespace: input.namespace, selector: input.selector }),
        reads.getHpa({ namespace: input.namespace, name: input.hpaName }).catch((err: unknown) => {
          // No HPA is a fact the recommendations handle; anything else fails this sample.
          if (
            err instanceof ActivityFailure &&
            (err.cause as { type?: string } | undefined)?.type === FailureType.notFound
          )
            return undefined;
          throw err;
        }),
        readLatency(),
      ]);
    } catch (err) {
      state.lastError = `sample at ${now.toISOString()}: ${failed(err)}`;
      return;
    }
    const sample = sampleFrom(now, metrics, hpa, latency);
    if (latency) state.latency = describeLatency(latency);
    state.window = addToWindow(state.window, sample, now);
    state.hpa = hpa ?? null;
    state.lastError = metrics.available ? null : metrics.reason;

    const recommendations = definition.recommend(state.window, hpa, input);
    const wasPending = new Set(state.pending.map((r) => r.action));
    const cooldownMs = input.cooldownMinutes * 60_000;
    const auto = input.apply
      ? recommendations.filter((r) => autoApplicable(r) && !inCooldown(state.lastApplied, r.action, now, cooldownMs))
      : [];
    state.pending = recommendations;
    phase = 'applying';
    const changes = auto.length > 0 ? await applyAll(auto, 'auto') : [];
    await notify(
      state.pending.filter((r) => !wasPending.has(r.action)),
      [],
    );

    if (input.historyPrefix !== '' && (recommendations.length > 0 || changes.length > 0)) {
      const key = `${input.historyPrefix}/${kind}/${now.toISOString().slice(0, 10)}.jsonl`;
      await records
        .appendJsonLine({
          key,
          id: `${workflowId}@${now.toISOString()}`,
          record: { at: now.toISOString(), sample, recommendations, changes },
        })
        .catch((err: unknown) => {
          state.lastError = `history: ${failed(err)}`;
        });
    }
  }

  setHandler(optimizerStatusQuery, status);
  setHandler(progressQuery, () => ({ phase, stepsDone: state.samplesTaken, stepsTotal: input.sampleLimit }));
  setHandler(approveUpdate, async (request) => applyAll(selectPending(state.pending, request?.actions), 'approved'), {
    validator: (request) => {
      if (state.pending.length === 0) throw new Error('nothing is pending approval');
      selectPending(state.pending, request?.actions);
    },
  });

  for (let sampled = 0; ;) {
    phase = 'sampling';
    await cycle();
    state.samplesTaken += 1;
    sampled += 1;
    if (input.sampleLimit > 0 && state.samplesTaken >= input.sampleLimit) break;
    phase = 'waiting';
    await sleep(input.intervalSeconds * 1000);
    if (sampled >= input.samplesPerRun || workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      await continueAsNew<(input: OptimizerInput) => Promise<OptimizerStatus>>({ ...input, state });
    }
  }
  await condition(allHandlersFinished);
  phase = 'done';
  return status();
}

function selectPending(pending: Recommendation[], actions: RecommendationAction[] | undefined): Recommendation[] {
  if (actions === undefined) return pending;
  for (const action of actions) {
    if (!pending.some((r) => r.action === action))
      throw new Error(
        `${action} is not pending approval (pending: ${pending.map((r) => r.action).join(', ') || 'none'})`,
      );
  }
  return pending.filter((r) => actions.includes(r.action));
}

function describeLatency(reading: LatencyReading): string {
  return reading.source === 'prometheus'
    ? `p95 ${reading.p95Ms} ms from Prometheus, the slowest of ${reading.series} series`
    : `no latency figure: ${reading.reason}`;
}

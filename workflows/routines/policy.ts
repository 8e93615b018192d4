// What the routines' findings mean: pure functions over the facts the steps gather.
import type { CapacityFacts, LatencyReading, VersionFacts } from '../../types/index.ts';
import type { HealthReport, ModelHealthReport } from '../../types/index.ts';
import { failed, ok, warn, type StepResult } from './steps.ts';

export function healthStep(report: HealthReport): StepResult {
  const summary = `${report.status}: ${Object.values(report.checks)
    .map((c) => `${c.name} ${c.status}`)
    .join(', ')}`;
  if (report.status === 'UNHEALTHY') return failed(summary);
  return report.status === 'DEGRADED' ? warn(summary) : ok(summary);
}

/**
 * Latency p95 of repeated /health probes against the guide's PNOHighLatency threshold (0.5 s): the
 * fallback when Prometheus has no figure, whose reason `fallback` gives.
 */
export function latencyStep(
  latenciesMs: number[],
  failures: number,
  p95LimitMs: number,
  fallback?: string,
): StepResult {
  const how = fallback === undefined ? '' : `probing /health (${fallback}): `;
  if (latenciesMs.length === 0) return failed(`${how}no probe answered (${failures} failed)`);
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  const detail = `${how}p50 ${at(0.5)} ms, p95 ${at(0.95)} ms over ${latenciesMs.length} probes, ${failures} failed`;
  if (failures > 0 || at(0.95) > p95LimitMs) return warn(`${detail} (limit p95 ${p95LimitMs} ms)`);
  return ok(detail);
}

/** The p95 inference latency Prometheus has for the service (its slowest series), against the same limit. */
export function prometheusLatencyStep(
  reading: Extract<LatencyReading, { source: 'prometheus' }>,
  p95LimitMs: number,
): StepResult {
  const labels = Object.entries(reading.worst).map(([name, value]) => `${name}="${value}"`);
  const detail = `p95 ${reading.p95Ms} ms from Prometheus, the slowest of ${reading.series} series (${labels.join(', ') || 'no labels'})`;
  return reading.p95Ms > p95LimitMs ? warn(`${detail} (limit ${p95LimitMs} ms)`) : ok(detail);
}

/** Can the cluster hold the service at its HPA maximum? Warn above 80% of allocatable. */
export function capacityStep(facts: CapacityFacts, maxReplicas: number): StepResult {
  const cpuUse = facts.requestedCpuMillicores / Math.max(1, facts.allocatableCpuMillicores);
  const memUse = facts.requestedMemoryMiB / Math.max(1, facts.allocatableMemoryMiB);
  const growth = Math.max(0, maxReplicas - facts.servicePods);
  const needCpu = growth * facts.podCpuMillicores;
  const needMem = growth * facts.podMemoryMiB;
  const freeCpu = facts.allocatableCpuMillicores - facts.requestedCpuMillicores;
  const freeMem = facts.allocatableMemoryMiB - facts.requestedMemoryMiB;
  const detail =
    `${facts.nodes} nodes; requests use ${Math.round(cpuUse * 100)}% CPU, ${Math.round(memUse * 100)}% memory; ` +
    `scaling to ${maxReplicas} replicas needs ${needCpu}m CPU and ${needMem} MiB more (free ${freeCpu}m, ${freeMem} MiB)`;
  if (needCpu > freeCpu || needMem > freeMem) return failed(`cannot reach the HPA maximum: ${detail}`);
  if (cpuUse > 0.8 || memUse > 0.8) return warn(detail);
  return ok(detail);
}

const minor = (version: string) => Number(/^v?\d+\.(\d+)/.exec(version)?.[1] ?? NaN);

/** The upgrade plan: kubelets more than one minor behind the control plane, and images on mutable tags. */
export function upgradePlanStep(facts: VersionFacts): StepResult {
  const plane = minor(facts.controlPlane);
  const behind = Object.entries(facts.kubelets).filter(([, v]) => plane - minor(v) > 1);
  const mutable = Object.entries(facts.images).filter(
    ([, image]) => !image.includes('@') && (/:latest$/.test(image) || !/:[^/]+$/.test(image)),
  );
  const notes = [
    `control plane ${facts.controlPlane}`,
    ...behind.map(([node, v]) => `node ${node} kubelet ${v} is ${plane - minor(v)} minors behind: upgrade it`),
    ...mutable.map(([container, image]) => `container ${container} runs ${image}: pin a version or digest`),
  ];
  return behind.length > 0 || mutable.length > 0
    ? warn(notes.join('; '))
    : ok(`${notes[0]}; all ${Object.keys(facts.kubelets).length} kubelets within one minor`);
}

/** Retraining is due when validation error nears its limit or the model is older than `maxAgeDays`. */
export function retrainingStep(
  report: ModelHealthReport,
  maxRelativeL2Error: number,
  trainedAt: string,
  maxAgeDays: number,
  now: Date,
): StepResult {
  const error = report.checks.inference.facts?.relativeL2Error;
  const reasons: string[] = [];
  if (report.status === 'FAIL')
    reasons.push(
      `model check fails: ${[...report.checks.integrity.reasons, ...report.checks.inference.reasons].join('; ')}`,
    );
  if (typeof error === 'number' && error > 0.8 * maxRelativeL2Error)
    reasons.push(`relative L2 error ${error.toFixed(4)} is past 80% of the limit ${maxRelativeL2Error}`);
  const ageDays = trainedAt ? Math.floor((now.getTime() - Date.parse(trainedAt)) / 86_400_000) : undefined;
  if (ageDays !== undefined && ageDays > maxAgeDays)
    reasons.push(`model trained ${ageDays} days ago (limit ${maxAgeDays})`);
  const facts = `error ${typeof error === 'number' ? error.toFixed(4) : 'unknown'}, age ${ageDays ?? 'unknown'} days`;
  return reasons.length > 0
    ? warn(`retraining recommended: ${reasons.join('; ')}`)
    : ok(`no retraining needed (${facts})`);
}

export interface Runbook {
  name: string;
  /** ISO date of the last review. */
  lastReviewed: string;
}

export function runbookStep(runbooks: Runbook[], maxAgeDays: number, now: Date): StepResult {
  const stale = runbooks.filter((r) => (now.getTime() - Date.parse(r.lastReviewed)) / 86_400_000 > maxAgeDays);
  if (stale.length === 0) return ok(`${runbooks.length} runbooks reviewed within ${maxAgeDays} days`);
  return warn(
    `${stale.length} of ${runbooks.length} runbooks not reviewed for over ${maxAgeDays} days: ${stale.map((r) => r.name).join(', ')}`,
  );
}

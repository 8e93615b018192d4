// The optimizers' pure policy on fixture metrics: the guide's thresholds, the window, and the changes.
import { describe, expect, it } from 'vitest';
import { recommendAutoScaling } from '../../workflows/optimizers/auto-scaling-policy.ts';
import {
  addToWindow,
  autoApplicable,
  inCooldown,
  MAX_WINDOW_SAMPLES,
  operationFor,
  sampleFrom,
  stableHpaBehavior,
  type Recommendation,
} from '../../workflows/optimizers/policy.ts';
import { recommendPerformance } from '../../workflows/optimizers/performance-policy.ts';
import { hpa, podMetrics, window } from './fixtures.ts';

const actions = (recs: Recommendation[]) => recs.map((r) => `${r.action}:${r.urgency}`);

describe('the usage window', () => {
  it('samples per-pod means and maxima, and the HPA replica count', () => {
    const sample = sampleFrom(
      new Date('2030-01-05T12:00:00Z'),
      podMetrics([
        { cpu: 700, memory: 3000 },
        { cpu: 900, memory: 3500 },
      ]),
      hpa({ currentReplicas: 3 }),
    );
    expect(sample).toEqual({
      at: '2030-01-05T12:00:00.000Z',
      cpuAvg: 800,
      cpuMax: 900,
      memoryAvg: 3250,
      memoryMax: 3500,
      pods: 2,
      replicas: 3,
    });
  });

  it('samples no usage when the metrics API is unavailable, and counts pods when the HPA has no status', () => {
    const sample = sampleFrom(
      new Date('2030-01-05T12:00:00Z'),
      { available: false, reason: 'metrics API unavailable (HTTP 404)' },
      undefined,
    );
    expect(sample).toEqual({ at: '2030-01-05T12:00:00.000Z', pods: 0, replicas: 0 });
  });

  it('drops samples older than 24 hours', () => {
    const now = new Date('2030-01-06T12:00:00Z');
    const old = { at: '2030-01-05T11:59:00.000Z', pods: 2, replicas: 2 };
    const recent = { at: '2030-01-05T12:01:00.000Z', pods: 2, replicas: 2 };
    const next = addToWindow([old, recent], { at: now.toISOString(), pods: 3, replicas: 3 }, now);
    expect(next.map((s) => s.at)).toEqual([recent.at, now.toISOString()]);
  });

  it(`keeps at most ${MAX_WINDOW_SAMPLES} samples, newest last`, () => {
    const full = window(MAX_WINDOW_SAMPLES, { cpu: 100 });
    const now = new Date('2030-01-05T12:05:00Z');
    const next = addToWindow(full, { at: now.toISOString(), cpuAvg: 999, pods: 4, replicas: 4 }, now);
    expect(next).toHaveLength(MAX_WINDOW_SAMPLES);
    expect(next.at(-1)?.cpuAvg).toBe(999);
    expect(next[0]?.at).toBe(full[1]?.at);
  });
});

describe('recommendAutoScaling', () => {
  it('raises maxReplicas by 5 (capped at 20) when CPU is over 800m', () => {
    expect(recommendAutoScaling(window(3, { cpu: 850, memory: 1000 }), hpa({ maxReplicas: 10 }))).toEqual([
      expect.objectContaining({ action: 'increase_max_replicas', maxReplicas: 15 }),
    ]);
    expect(recommendAutoScaling(window(3, { cpu: 850 }), hpa({ maxReplicas: 18 }))).toEqual([
      expect.objectContaining({ action: 'increase_max_replicas', maxReplicas: 20 }),
    ]);
  });

  it('says nothing about CPU at 800m exactly, at the 20-replica cap, or without an HPA', () => {
    expect(recommendAutoScaling(window(3, { cpu: 800 }), hpa())).toEqual([]);
    expect(recommendAutoScaling(window(3, { cpu: 950 }), hpa({ maxReplicas: 20 }))).toEqual([]);
    expect(recommendAutoScaling(window(3, { cpu: 950 }), undefined)).toEqual([]);
  });

  it('raises the memory limit to 6Gi when memory is over 3200Mi', () => {
    expect(recommendAutoScaling(window(3, { cpu: 100, memory: 3300 }), hpa())).toEqual([
      expect.objectContaining({ action: 'increase_memory_limits', memoryLimit: '6Gi', memoryRequest: '2Gi' }),
    ]);
  });

  it('judges the latest three samples, so one spike moves nothing', () => {
    const spike = [...window(2, { cpu: 400 }), ...window(1, { cpu: 1500 })];
    expect(recommendAutoScaling(spike, hpa())).toEqual([]);
  });

  it('recommends nothing without metrics', () => {
    expect(recommendAutoScaling(window(5, {}), hpa())).toEqual([]);
  });
});

describe('recommendPerformance', () => {
  it('waits for ten samples', () => {
    expect(recommendPerformance(window(9, { cpu: 950 }), hpa())).toEqual([]);
    expect(recommendPerformance(window(10, { cpu: 950 }), hpa())).not.toEqual([]);
  });

  it('scales up by two under high CPU: high urgency over 900m, medium over 800m', () => {
    expect(recommendPerformance(window(10, { cpu: 950 }), hpa({ currentReplicas: 4 }))).toEqual([
      expect.objectContaining({ action: 'increase_replicas', urgency: 'high', replicas: 6 }),
    ]);
    expect(actions(recommendPerformance(window(10, { cpu: 850 }), hpa()))).toEqual(['increase_replicas:medium']);
    expect(recommendPerformance(window(10, { cpu: 950 }), hpa({ currentReplicas: 19 }))[0]).toMatchObject({
      replicas: 20,
    });
  });

  it('scales down by one (low urgency, never below 2) under low CPU', () => {
    expect(recommendPerformance(window(10, { cpu: 200 }), hpa({ currentReplicas: 4 }))).toEqual([
      expect.objectContaining({ action: 'decrease_replicas', urgency: 'low', replicas: 3 }),
    ]);
    expect(recommendPerformance(window(10, { cpu: 200, replicas: 2 }), hpa({ currentReplicas: 2 }))).toEqual([]);
  });

  it('raises memory: high urgency over 3600Mi, medium over 3200Mi', () => {
    expect(actions(recommendPerformance(window(10, { cpu: 500, memory: 3700 }), hpa()))).toEqual([
      'increase_memory_limits:high',
    ]);
    expect(actions(recommendPerformance(window(10, { cpu: 500, memory: 3300 }), hpa()))).toEqual([
      'increase_memory_limits:medium',
    ]);
  });

  it('flags frequent scaling at more than 3 distinct replica counts in the last 10 samples', () => {
    const four = window(10, { cpu: 500, replicas: (i) => 2 + (i % 4) });
    expect(recommendPerformance(four, hpa())).toEqual([
      expect.objectContaining({ action: 'adjust_hpa_parameters', urgency: 'medium', behavior: stableHpaBehavior }),
    ]);
    const three = window(10, { cpu: 500, replicas: (i) => 2 + (i % 3) });
    expect(recommendPerformance(three, hpa())).toEqual([]);
  });

  it('scales up on a p95 latency over the limit, and holds back the low-CPU scale-down while it is', () => {
    expect(recommendPerformance(window(10, { cpu: 200, latency: 975 }), hpa({ currentReplicas: 4 }))).toEqual([
      {
        action: 'increase_replicas',
        urgency: 'medium',
        replicas: 6,
        reason: 'High p95 latency: 975 ms average over 10 samples (limit 500 ms)',
      },
    ]);
    expect(actions(recommendPerformance(window(10, { cpu: 500, latency: 1200 }), hpa()))).toEqual([
      'increase_replicas:high',
    ]);
    // CPU says it first: one increase, for the CPU.
    expect(recommendPerformance(window(10, { cpu: 950, latency: 975 }), hpa())).toEqual([
      expect.objectContaining({ action: 'increase_replicas', reason: 'High CPU usage: 950m average' }),
    ]);
    expect(recommendPerformance(window(10, { cpu: 500, latency: 975 }), hpa(), 1000)).toEqual([]);
    expect(recommendPerformance(window(10, { cpu: 500, latency: 975 }), hpa({ currentReplicas: 20 }))).toEqual([]);
    // Fewer than half the recent samples with a figure decide nothing: the guide's low-CPU scale-down stands.
    const fewReadings = [
      ...window(6, { cpu: 200 }),
      ...window(4, { cpu: 200, latency: 975 }, new Date('2030-01-05T13:00:00Z')),
    ];
    expect(actions(recommendPerformance(fewReadings, hpa()))).toEqual(['decrease_replicas:low']);
    expect(actions(recommendPerformance(window(10, { cpu: 200, latency: 100 }), hpa()))).toEqual([
      'decrease_replicas:low',
    ]);
  });

  it('looks at the latest ten samples only', () => {
    const hotThenCalm = [...window(20, { cpu: 950 }, new Date('2030-01-05T10:00:00Z')), ...window(10, { cpu: 500 })];
    expect(recommendPerformance(hotThenCalm, hpa())).toEqual([]);
  });
});

describe('applying a recommendation', () => {
  const target = {
    namespace: 'production',
    deployment: 'pno-physics-bench',
    hpaName: 'pno-hpa',
    container: 'pno-inference',
  };
  type Bare = Recommendation extends infer R
    ? R extends Recommendation
      ? Omit<R, 'urgency' | 'reason'>
      : never
    : never;
  const rec = (r: Bare) => ({ urgency: 'medium', reason: 'test', ...r }) as Recommendation;

  it('raises the HPA ceiling, or does nothing when it is already there', () => {
    expect(operationFor(rec({ action: 'increase_max_replicas', maxReplicas: 15 }), target, hpa())).toEqual({
      activity: 'patchHpa',
      changes: { maxReplicas: 15 },
    });
    expect(
      operationFor(rec({ action: 'increase_max_replicas', maxReplicas: 15 }), target, hpa({ maxReplicas: 15 })),
    ).toMatchObject({ activity: 'none' });
  });

  it('scales through the HPA floor, lifting the ceiling if it must', () => {
    expect(
      operationFor(
        rec({ action: 'increase_replicas', replicas: 12 }),
        target,
        hpa({ minReplicas: 2, maxReplicas: 10 }),
      ),
    ).toEqual({
      activity: 'patchHpa',
      changes: { minReplicas: 12, maxReplicas: 12 },
    });
    expect(operationFor(rec({ action: 'decrease_replicas', replicas: 3 }), target, hpa({ minReplicas: 4 }))).toEqual({
      activity: 'patchHpa',
      changes: { minReplicas: 3 },
    });
    expect(
      operationFor(rec({ action: 'decrease_replicas', replicas: 3 }), target, hpa({ minReplicas: 2 })),
    ).toMatchObject({ activity: 'none' });
    expect(operationFor(rec({ action: 'increase_replicas', replicas: 6 }), target, undefined)).toEqual({
      activity: 'none',
      why: 'no HPA production/pno-hpa to change',
    });
  });

  it('server-side applies only the container memory, or only the HPA behaviour', () => {
    const memory = operationFor(
      rec({ action: 'increase_memory_limits', memoryLimit: '6Gi', memoryRequest: '2Gi' }),
      target,
      hpa(),
    );
    expect(memory.activity).toBe('applyManifests');
    expect(JSON.parse((memory as { yaml: string }).yaml)).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'pno-physics-bench', namespace: 'production' },
      spec: {
        template: {
          spec: {
            containers: [
              { name: 'pno-inference', resources: { limits: { memory: '6Gi' }, requests: { memory: '2Gi' } } },
            ],
          },
        },
      },
    });
    const behavior = operationFor(rec({ action: 'adjust_hpa_parameters', behavior: stableHpaBehavior }), target, hpa());
    expect(JSON.parse((behavior as { yaml: string }).yaml)).toMatchObject({
      kind: 'HorizontalPodAutoscaler',
      spec: { behavior: stableHpaBehavior },
    });
  });

  it('applies high and medium urgency on its own, and waits out the cooldown', () => {
    expect(autoApplicable({ ...rec({ action: 'decrease_replicas', replicas: 3 }), urgency: 'low' })).toBe(false);
    expect(autoApplicable({ ...rec({ action: 'increase_replicas', replicas: 6 }), urgency: 'high' })).toBe(true);
    const now = new Date('2030-01-05T12:00:00Z');
    const last = { increase_max_replicas: '2030-01-05T11:40:00Z' };
    expect(inCooldown(last, 'increase_max_replicas', now, 30 * 60_000)).toBe(true);
    expect(inCooldown(last, 'increase_max_replicas', now, 20 * 60_000)).toBe(false);
    expect(inCooldown(last, 'increase_memory_limits', now, 30 * 60_000)).toBe(false);
  });
});

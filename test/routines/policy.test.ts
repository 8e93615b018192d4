// The routines' pure judgements on fixture facts.
import { describe, expect, it } from 'vitest';
import {
  capacityStep,
  latencyStep,
  prometheusLatencyStep,
  retrainingStep,
  runbookStep,
  upgradePlanStep,
} from '../../workflows/routines/policy.ts';
import type { ModelHealthReport } from '../../types/index.ts';

const capacity = {
  nodes: 2,
  allocatableCpuMillicores: 8000,
  allocatableMemoryMiB: 32768,
  requestedCpuMillicores: 2000,
  requestedMemoryMiB: 8192,
  requestsCounted: ['production'],
  servicePods: 2,
  podCpuMillicores: 500,
  podMemoryMiB: 2048,
};

describe('routine policy', () => {
  it('capacity: room to reach the HPA maximum, tight, or not enough', () => {
    expect(capacityStep(capacity, 10).status).toBe('ok');
    expect(capacityStep({ ...capacity, requestedCpuMillicores: 6800 }, 2).status).toBe('warn');
    expect(capacityStep(capacity, 20)).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('cannot reach the HPA maximum'),
    });
  });

  it('upgrade plan: kubelet skew past one minor and images on mutable tags', () => {
    const images = { app: 'registry.example.com/pno:1.4.0' };
    expect(upgradePlanStep({ controlPlane: 'v1.36.3', kubelets: { a: 'v1.35.0' }, images }).status).toBe('ok');
    expect(upgradePlanStep({ controlPlane: 'v1.36.3', kubelets: { a: 'v1.33.2' }, images }).detail).toContain(
      'node a kubelet v1.33.2 is 3 minors behind',
    );
    expect(upgradePlanStep({ controlPlane: 'v1.36.3', kubelets: {}, images: { app: 'pno:latest' } }).detail).toContain(
      'pin a version or digest',
    );
    expect(upgradePlanStep({ controlPlane: 'v1.36.3', kubelets: {}, images: { app: 'pno@sha256:abc' } }).status).toBe(
      'ok',
    );
  });

  it('retraining: error near its limit or an old model', () => {
    const report = (error: number, status: 'PASS' | 'FAIL' = 'PASS') =>
      ({
        status,
        checks: {
          integrity: { reasons: [] },
          inference: { reasons: status === 'FAIL' ? ['nan'] : [], facts: { relativeL2Error: error } },
        },
      }) as unknown as ModelHealthReport;
    const now = new Date('2026-06-01T00:00:00Z');
    expect(retrainingStep(report(0.05), 0.1, '2026-05-01', 90, now).status).toBe('ok');
    expect(retrainingStep(report(0.09), 0.1, '', 90, now).detail).toContain('past 80% of the limit');
    expect(retrainingStep(report(0.05), 0.1, '2025-01-01', 90, now).detail).toContain('trained 516 days ago');
    expect(retrainingStep(report(0.05, 'FAIL'), 0.1, '', 90, now).detail).toContain('model check fails: nan');
  });

  it('runbooks and latency', () => {
    const now = new Date('2026-06-01T00:00:00Z');
    expect(runbookStep([{ name: 'dr', lastReviewed: '2026-05-01' }], 90, now).status).toBe('ok');
    expect(runbookStep([{ name: 'dr', lastReviewed: '2025-05-01' }], 90, now)).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining('dr'),
    });
    expect(latencyStep([10, 20, 30, 40], 0, 500)).toMatchObject({
      status: 'ok',
      detail: 'p50 20 ms, p95 40 ms over 4 probes, 0 failed',
    });
    expect(latencyStep([10, 900], 0, 500).status).toBe('warn');
    expect(latencyStep([], 3, 500).status).toBe('fail');
  });

  it('latency from Prometheus when it has a figure; probing says why it is the fallback', () => {
    const reading = {
      source: 'prometheus' as const,
      query: 'q',
      p95Ms: 975,
      series: 2,
      worst: { instance: '10.0.0.7:8000', job: 'pno-physics-bench' },
    };
    expect(prometheusLatencyStep(reading, 500)).toEqual({
      status: 'warn',
      detail:
        'p95 975 ms from Prometheus, the slowest of 2 series (instance="10.0.0.7:8000", job="pno-physics-bench") (limit 500 ms)',
    });
    expect(prometheusLatencyStep({ ...reading, p95Ms: 22.6 }, 500).status).toBe('ok');
    expect(latencyStep([10, 20], 0, 500, 'Prometheus unreachable: connect ECONNREFUSED')).toEqual({
      status: 'ok',
      detail:
        'probing /health (Prometheus unreachable: connect ECONNREFUSED): p50 10 ms, p95 20 ms over 2 probes, 0 failed',
    });
    expect(latencyStep([], 2, 500, 'no Prometheus configured').detail).toBe(
      'probing /health (no Prometheus configured): no probe answered (2 failed)',
    );
  });
});

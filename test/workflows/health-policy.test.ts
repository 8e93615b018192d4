// The health check's pure policy: what the gathered facts mean.
import { describe, expect, it } from 'vitest';
import { assessHpa, assessPods, overallHealth } from '../../workflows/monitoring/health-policy.ts';

const hpa = {
  name: 'pno-hpa',
  minReplicas: 2,
  maxReplicas: 10,
  currentReplicas: 3,
  desiredReplicas: 3,
  scalingActive: true,
};
const ok = { name: 'x', status: 'OK' as const, message: '' };

describe('health policy', () => {
  it('judges the HPA', () => {
    expect(assessHpa(hpa)).toMatchObject({ status: 'OK', message: '3 replicas (desired 3, range 2..10)' });
    expect(assessHpa({ ...hpa, desiredReplicas: 5 }).message).toMatch(/^scaling:/);
    expect(assessHpa({ ...hpa, currentReplicas: 1 })).toMatchObject({
      status: 'DEGRADED',
      message: expect.stringMatching(/^below minimum/),
    });
    expect(assessHpa({ ...hpa, scalingActive: false, scalingMessage: 'no metrics' })).toMatchObject({
      status: 'DEGRADED',
      message: expect.stringContaining('cannot autoscale: no metrics'),
    });
    const { currentReplicas: _c, desiredReplicas: _d, ...unobserved } = hpa;
    expect(assessHpa(unobserved)).toMatchObject({
      status: 'DEGRADED',
      message: expect.stringContaining('not reported'),
    });
  });

  it('judges pods as the guide counts them', () => {
    const pod = (ready: boolean) => ({ name: 'p', phase: ready ? 'Running' : 'Pending', ready, restarts: 0 });
    expect(assessPods([pod(true), pod(true)]).status).toBe('OK');
    expect(assessPods([pod(true), pod(false)]).status).toBe('DEGRADED');
    expect(assessPods([pod(false)]).status).toBe('ERROR');
    expect(assessPods([]).status).toBe('ERROR');
  });

  it('is UNHEALTHY only when serving is broken', () => {
    expect(overallHealth({ api: ok, pods: ok, hpa: ok })).toBe('HEALTHY');
    expect(overallHealth({ api: ok, pods: ok, hpa: { ...ok, status: 'ERROR' } })).toBe('DEGRADED');
    expect(overallHealth({ api: { ...ok, status: 'ERROR' }, pods: ok, hpa: ok })).toBe('UNHEALTHY');
    expect(overallHealth({ api: ok, pods: { ...ok, status: 'ERROR' }, hpa: ok })).toBe('UNHEALTHY');
  });
});

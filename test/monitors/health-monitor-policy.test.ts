// The health monitor's alert policy: one alert per condition, reminders, severity changes, recovery.
import { describe, expect, it } from 'vitest';
import type { HealthReport } from '../../types/index.ts';
import {
  alertCondition,
  dailyHistoryKey,
  planAlerts,
  previousAlertState,
  type HealthAlertState,
} from '../../workflows/monitoring/monitor-policy.ts';
import { summarizeUsage } from '../../workflows/monitoring/resource-usage.ts';

const ctx = (now: string) => ({
  type: 'service_health',
  service: 'pno-physics-bench',
  dedupKey: 'health:production:pno-physics-bench',
  now: new Date(now),
  realertMs: 30 * 60_000,
});
const critical = { severity: 'critical' as const, summary: 'UNHEALTHY', details: {} };
const firing = (severity: 'warning' | 'critical', lastSentAt: string): HealthAlertState => ({
  dedupKey: 'health:production:pno-physics-bench',
  severity,
  since: '2030-01-05T11:00:00.000Z',
  lastSentAt,
});

describe('planAlerts', () => {
  it('stays quiet while healthy', () => {
    expect(planAlerts(null, null, ctx('2030-01-05T12:00:00Z'))).toEqual({ send: [], next: null });
  });

  it('fires once when a condition starts, expiring after two reminder periods', () => {
    const plan = planAlerts(null, critical, ctx('2030-01-05T12:00:00Z'));
    expect(plan.send).toEqual([
      {
        type: 'service_health',
        service: 'pno-physics-bench',
        dedupKey: 'health:production:pno-physics-bench',
        severity: 'critical',
        summary: 'UNHEALTHY',
        details: {},
        expiresAt: '2030-01-05T13:00:00.000Z',
      },
    ]);
    expect(plan.next).toEqual({
      dedupKey: 'health:production:pno-physics-bench',
      severity: 'critical',
      since: '2030-01-05T12:00:00.000Z',
      lastSentAt: '2030-01-05T12:00:00.000Z',
    });
  });

  it('sends nothing while the same condition holds, then a reminder after realertMs', () => {
    const previous = firing('critical', '2030-01-05T12:00:00.000Z');
    expect(planAlerts(previous, critical, ctx('2030-01-05T12:29:00Z'))).toEqual({ send: [], next: previous });
    const reminder = planAlerts(previous, critical, ctx('2030-01-05T12:30:00Z'));
    expect(reminder.send).toHaveLength(1);
    expect(reminder.next).toEqual({ ...previous, lastSentAt: '2030-01-05T12:30:00.000Z' });
  });

  it('resolves the old severity before firing a new one', () => {
    const plan = planAlerts(firing('warning', '2030-01-05T12:00:00.000Z'), critical, ctx('2030-01-05T12:01:00Z'));
    expect(plan.send.map((a) => [a.severity, a.resolved ?? false])).toEqual([
      ['warning', true],
      ['critical', false],
    ]);
    expect(plan.next).toMatchObject({ severity: 'critical', since: '2030-01-05T12:01:00.000Z' });
  });

  it('resolves once on recovery', () => {
    const plan = planAlerts(firing('critical', '2030-01-05T12:00:00.000Z'), null, ctx('2030-01-05T12:05:00Z'));
    expect(plan.send).toEqual([
      expect.objectContaining({
        severity: 'critical',
        resolved: true,
        dedupKey: 'health:production:pno-physics-bench',
      }),
    ]);
    expect(plan.next).toBeNull();
  });
});

describe('alertCondition', () => {
  const report = (status: HealthReport['status']): HealthReport => ({
    status,
    checkedAt: '2030-01-05T12:00:00.000Z',
    checks: {
      api: {
        name: 'api',
        status: status === 'UNHEALTHY' ? 'ERROR' : 'OK',
        message: status === 'UNHEALTHY' ? '/ready: HTTP 503' : 'ok',
      },
      pods: { name: 'pods', status: 'OK', message: '2 of 2 pods ready' },
      hpa: { name: 'hpa', status: status === 'HEALTHY' ? 'OK' : 'DEGRADED', message: 'cannot autoscale' },
    },
  });

  it('is none when healthy, a warning when degraded, critical when unhealthy, naming what failed', () => {
    expect(alertCondition(report('HEALTHY'), 'pno-physics-bench', 'production')).toBeNull();
    expect(alertCondition(report('DEGRADED'), 'pno-physics-bench', 'production')).toMatchObject({
      severity: 'warning',
      summary: 'pno-physics-bench in production is DEGRADED: hpa: cannot autoscale',
    });
    const condition = alertCondition(report('UNHEALTHY'), 'pno-physics-bench', 'production');
    expect(condition?.severity).toBe('critical');
    expect(condition?.summary).toContain('api: /ready: HTTP 503');
    expect(condition?.details.issues).toHaveLength(2);
  });
});

describe('previousAlertState', () => {
  it('reads the alert a previous run left, and nothing else', () => {
    const state = firing('warning', '2030-01-05T12:00:00.000Z');
    expect(previousAlertState({ status: 'DEGRADED', alert: state })).toEqual(state);
    expect(previousAlertState(undefined)).toBeNull();
    expect(previousAlertState({ alert: null })).toBeNull();
    expect(previousAlertState({ alert: { ...state, severity: 'loud' } })).toBeNull();
    expect(previousAlertState('text')).toBeNull();
  });
});

describe('history and usage', () => {
  it('keys the history by UTC day', () => {
    expect(dailyHistoryKey('monitoring/health', new Date('2030-01-05T23:59:59.999Z'))).toBe(
      'monitoring/health/2030-01-05.jsonl',
    );
  });

  it('sums and averages pod usage, or says why there is none', () => {
    expect(
      summarizeUsage({
        available: true,
        pods: [
          { pod: 'a', cpuMillicores: 100, memoryMiB: 1000 },
          { pod: 'b', cpuMillicores: 301, memoryMiB: 2001 },
        ],
      }),
    ).toEqual({
      available: true,
      pods: 2,
      cpuAvgMillicores: 201,
      cpuMaxMillicores: 301,
      cpuTotalMillicores: 401,
      memoryAvgMiB: 1501,
      memoryMaxMiB: 2001,
      memoryTotalMiB: 3001,
    });
    expect(summarizeUsage({ available: false, reason: 'metrics API unavailable (HTTP 404)' })).toEqual({
      available: false,
      reason: 'metrics API unavailable (HTTP 404)',
    });
  });
});

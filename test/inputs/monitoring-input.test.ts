// Input schemas of the health check and the health monitor.
import { describe, expect, it } from 'vitest';
import {
  healthCheckDefaults,
  healthCheckInputSchema,
  healthMonitorDefaults,
  healthMonitorInputSchema,
} from '../../workflows/monitoring/input.ts';
import { parseInput } from '../../workflows/shared/input.ts';
import { expectRefused, refusal } from './helpers.ts';

describe('healthCheckWorkflow input', () => {
  const refused = (raw: unknown) => refusal(healthCheckInputSchema, 'healthCheckWorkflow', raw);

  it("defaults to the production service and the worker's API URL", () => {
    expect(healthCheckDefaults).toEqual({
      apiBaseUrl: '',
      apiService: '',
      namespace: 'production',
      selector: 'app=pno-physics-bench',
      hpaName: 'pno-hpa',
      requestTimeoutMs: 10_000,
      latencyWarnMs: 1_000,
    });
  });

  it.each([
    [{ apiBaseUrl: 'not a url' }, 'apiBaseUrl', 'must be an absolute http(s) URL'],
    [{ apiBaseUrl: 'ftp://example.com' }, 'apiBaseUrl', 'must use http or https'],
    [{ namespace: 'Production!' }, 'namespace', 'must be a Kubernetes name'],
    [{ hpaName: '' }, 'hpaName', 'must be a Kubernetes name'],
    [{ requestTimeoutMs: -5 }, 'requestTimeoutMs', 'must be an integer from 100 to 120000'],
    [{ latencyWarnMs: '1s' }, 'latencyWarnMs', 'must be an integer from 1 to 120000'],
    [{ colour: 'blue' }, 'colour', "is not a field of healthCheckWorkflow's input"],
  ])('refuses %j, naming %s', (raw, field, rule) => expectRefused(refused(raw), field, rule));
});

describe('healthMonitorWorkflow input', () => {
  const refused = (raw: unknown) => refusal(healthMonitorInputSchema, 'healthMonitorWorkflow', raw);

  it("is the health check's input plus the monitor's own fields", () => {
    expect(healthMonitorDefaults).toEqual({
      ...healthCheckDefaults,
      service: 'pno-physics-bench',
      historyPrefix: 'monitoring/health',
      realertMinutes: 30,
    });
    expect(parseInput(healthMonitorInputSchema, 'healthMonitorWorkflow', { historyPrefix: '' }).historyPrefix).toBe('');
  });

  it.each([
    [{ realertMinutes: 0 }, 'realertMinutes', 'must be an integer from 1 to 1440'],
    [{ historyPrefix: '../elsewhere' }, 'historyPrefix', 'must be empty or a path like monitoring/health'],
    [{ service: 'PNO bench' }, 'service', 'must be a Kubernetes name'],
    [{ namespace: 'Production!' }, 'namespace', 'must be a Kubernetes name'],
    [{ hpaName: 'x', colour: 'blue' }, 'colour', "is not a field of healthMonitorWorkflow's input"],
  ])('refuses %j, naming %s', (raw, field, rule) => expectRefused(refused(raw), field, rule));
});

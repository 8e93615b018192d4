// The optimizers' input schema (both optimizers run the same sampling loop).
import { describe, expect, it } from 'vitest';
import {
  optimizerDefaults,
  optimizerInputSchema,
  performanceOptimizerInputSchema,
} from '../../workflows/optimizers/input.ts';
import { defaultsOf } from '../../workflows/shared/input.ts';
import { parseInput } from '../../workflows/shared/input.ts';
import { expectRefused, refusal } from './helpers.ts';

describe('optimizer input', () => {
  const refused = (raw: unknown) => refusal(optimizerInputSchema, 'autoScalingOptimizerWorkflow', raw);

  it("defaults to the guide's five-minute period, recommending only", () => {
    expect(optimizerDefaults).toEqual({
      namespace: 'production',
      selector: 'app=pno-physics-bench',
      deployment: 'pno-physics-bench',
      hpaName: 'pno-hpa',
      container: 'pno-inference',
      service: 'pno-physics-bench',
      intervalSeconds: 300,
      apply: false,
      cooldownMinutes: 30,
      samplesPerRun: 24,
      sampleLimit: 0,
      historyPrefix: 'monitoring/optimizers',
      state: null,
    });
  });

  it('takes back the state a previous run carried over', () => {
    const state = {
      window: [],
      hpa: null,
      pending: [],
      lastApplied: {},
      changes: [],
      samplesTaken: 24,
      lastError: null,
    };
    expect(parseInput(optimizerInputSchema, 'autoScalingOptimizerWorkflow', { state }).state).toEqual(state);
  });

  it.each([
    [{ intervalSeconds: 0 }, 'intervalSeconds', 'must be an integer from 1 to 3600'],
    [{ cooldownMinutes: -1 }, 'cooldownMinutes', 'must be an integer from 0 to 1440'],
    [{ samplesPerRun: 0 }, 'samplesPerRun', 'must be an integer from 1 to 1000'],
    [{ sampleLimit: 1.5 }, 'sampleLimit', 'must be an integer from 0 to 1000000'],
    [{ apply: 'true' }, 'apply', 'must be true or false'],
    [{ historyPrefix: '/abs' }, 'historyPrefix', 'must be empty or a path like monitoring/optimizers'],
    [
      { state: { window: Array.from({ length: 289 }, () => ({})), pending: [] } },
      'state',
      'must be left unset (it carries at most 288 samples between runs)',
    ],
    [{ state: 'x' }, 'state', 'must be left unset'],
    [{ colour: 'blue' }, 'colour', "is not a field of autoScalingOptimizerWorkflow's input"],
  ])('refuses %j, naming %s', (raw, field, rule) => expectRefused(refused(raw), field, rule));

  it('names the workflow it was started as', () => {
    expect(refusal(performanceOptimizerInputSchema, 'performanceOptimizerWorkflow', { colour: 1 }).message).toContain(
      "performanceOptimizerWorkflow's input",
    );
  });

  it("gives the performance optimizer the guide's latency query and limit; the auto-scaling one takes neither", () => {
    expect(defaultsOf(performanceOptimizerInputSchema)).toEqual({
      ...optimizerDefaults,
      latencyQuery: 'histogram_quantile(0.95, rate(pno_inference_duration_seconds_bucket[5m]))',
      latencyP95LimitMs: 500,
    });
    expectRefused(
      refused({ latencyQuery: 'up' }),
      'latencyQuery',
      "is not a field of autoScalingOptimizerWorkflow's input",
    );
    const performance = (raw: unknown) => refusal(performanceOptimizerInputSchema, 'performanceOptimizerWorkflow', raw);
    expectRefused(
      performance({ latencyQuery: ' ' }),
      'latencyQuery',
      'must be a PromQL expression of at most 2000 characters',
    );
    expectRefused(performance({ latencyP95LimitMs: 0 }), 'latencyP95LimitMs', 'must be an integer from 1 to 600000');
  });
});

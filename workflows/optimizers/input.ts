// The optimizers' input (both run the same sampling loop): what they watch, how often, and whether
// they may change it on their own.
import { z } from 'zod';
import { boolean, historyPrefix, integer, kubeName } from '../shared/fields.ts';
import { defaultsOf, inputObject } from '../shared/input.ts';
import { serviceTarget, targetFields } from '../shared/target.ts';
import { limits, MAX_WINDOW_SAMPLES } from './policy.ts';
import type { OptimizerState } from './sampling.ts';

const stateRule = `must be left unset (it carries at most ${MAX_WINDOW_SAMPLES} samples between runs)`;

/** Only the bound matters here: the state is the previous run's own, handed over by continue-as-new. */
const carriedState = z
  .custom<OptimizerState | null>(
    (value) => {
      if (value === null) return true;
      const state = value as Partial<OptimizerState> | undefined;
      return (
        typeof state === 'object' &&
        Array.isArray(state.window) &&
        state.window.length <= MAX_WINDOW_SAMPLES &&
        Array.isArray(state.pending)
      );
    },
    { error: stateRule },
  )
  .meta({ rule: stateRule });

export const optimizerInputSchema = inputObject({
  namespace: targetFields.namespace,
  selector: targetFields.selector,
  deployment: targetFields.deployment,
  hpaName: targetFields.hpaName,
  container: targetFields.container,
  service: kubeName.default(serviceTarget.service).describe('The service named in alerts.'),
  intervalSeconds: integer(1, 3600).default(300).describe('The guide samples every five minutes.'),
  apply: boolean
    .default(false)
    .describe('Apply high and medium urgency recommendations without asking (the guide ships with this off).'),
  cooldownMinutes: integer(0, 24 * 60)
    .default(30)
    .describe('After applying an action, wait this long before applying the same action again on its own.'),
  samplesPerRun: integer(1, 1000)
    .default(24)
    .describe("Continue as new after this many samples (24 = two hours at the guide's period)."),
  sampleLimit: integer(0, 1_000_000)
    .default(0)
    .describe('Stop after this many samples in all; 0 runs until cancelled.'),
  historyPrefix: historyPrefix('monitoring/optimizers')
    .default('monitoring/optimizers')
    .describe(
      'Cycles that recommend or change something are recorded under `<prefix>/<kind>/<yyyy-mm-dd>.jsonl`; empty keeps none.',
    ),
  state: carriedState.default(null).describe('Carried by continue-as-new; leave unset.'),
});
export type OptimizerInput = z.input<typeof optimizerInputSchema>;
export type ParsedOptimizerInput = z.output<typeof optimizerInputSchema>;
export const optimizerDefaults = defaultsOf(optimizerInputSchema);

/** The performance optimizer also samples the service's p95 latency from Prometheus. */
export const performanceOptimizerInputSchema = optimizerInputSchema.extend({
  latencyQuery: targetFields.latencyQuery,
  latencyP95LimitMs: integer(1, 600_000)
    .default(limits.latencyP95Ms)
    .describe(
      "A p95 above this over the latest ten samples asks for two more replicas and holds back a scale-down (the guide's 0.5 s alert).",
    ),
});
export type PerformanceOptimizerInput = z.input<typeof performanceOptimizerInputSchema>;

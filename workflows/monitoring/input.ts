// Inputs of the health check and the health monitor that runs it every minute.
import type { z } from 'zod';
import { historyPrefix, integer, kubeName, serviceRef } from '../shared/fields.ts';
import { defaultsOf, inputObject } from '../shared/input.ts';
import { serviceTarget, targetFields } from '../shared/target.ts';

const healthCheckFields = {
  apiBaseUrl: targetFields.apiBaseUrl.describe(
    "Base URL of the inference API; empty means the worker's configured PNO_API_URL.",
  ),
  apiService: serviceRef
    .default('')
    .describe(
      'A Service of `namespace` (`name:port`) probed through the API server instead of `apiBaseUrl`; empty: the URL.',
    ),
  namespace: targetFields.namespace,
  selector: targetFields.selector,
  hpaName: targetFields.hpaName,
  requestTimeoutMs: integer(100, 120_000)
    .default(10_000)
    .describe("Per-request timeout, as the guide's `requests.get(..., timeout=10)`."),
  latencyWarnMs: integer(1, 120_000).default(1_000).describe('A probe slower than this makes the API check DEGRADED.'),
};

export const healthCheckInputSchema = inputObject(healthCheckFields);
export type HealthCheckInput = z.input<typeof healthCheckInputSchema>;
export type ParsedHealthCheckInput = z.output<typeof healthCheckInputSchema>;
export const healthCheckDefaults = defaultsOf(healthCheckInputSchema);

/** The health check's fields (checked here too, so bad input fails before the child starts) and the monitor's own. */
export const healthMonitorInputSchema = inputObject({
  ...healthCheckFields,
  service: kubeName.default(serviceTarget.service).describe('The service named in alerts.'),
  historyPrefix: historyPrefix('monitoring/health')
    .default('monitoring/health')
    .describe("Where the day's JSON Lines history goes (`<prefix>/<yyyy-mm-dd>.jsonl`); empty keeps none."),
  realertMinutes: integer(1, 24 * 60)
    .default(30)
    .describe('A condition that holds is alerted again after this many minutes.'),
});
export type HealthMonitorInput = z.input<typeof healthMonitorInputSchema>;
export type ParsedHealthMonitorInput = z.output<typeof healthMonitorInputSchema>;
export const healthMonitorDefaults = defaultsOf(healthMonitorInputSchema);

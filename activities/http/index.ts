import { ApplicationFailure } from '@temporalio/common';
import { probeHttp } from './probe.ts';
import { readLatencyP95 } from './prometheus.ts';
import { FailureType, type HttpProbe, type LatencyReading } from '../../types/index.ts';

export interface HttpDeps {
  /** The inference API used when a workflow leaves its URL empty (the worker's PNO_API_URL). */
  defaultApiBaseUrl?: string;
  /** Where the service's latency is read (the worker's PNO_PROMETHEUS_URL); unset, callers probe instead. */
  prometheusUrl?: string;
  fetch?: typeof fetch;
}

export function createHttpActivities(deps: HttpDeps = {}) {
  return {
    /** Probes `path` (e.g. `/health`, `/ready`) of the inference API. */
    async probeEndpoint(input: { baseUrl: string; path: string; timeoutMs: number }): Promise<HttpProbe> {
      const baseUrl = input.baseUrl || deps.defaultApiBaseUrl;
      if (!baseUrl) {
        throw ApplicationFailure.nonRetryable(
          'no inference API URL: pass apiBaseUrl in the input or set PNO_API_URL on the worker',
          FailureType.invalidInput,
        );
      }
      // Joined as text so a base path (https://host/api) is kept, which `new URL(path, base)` would drop.
      const url = `${baseUrl.replace(/\/+$/, '')}/${input.path.replace(/^\/+/, '')}`;
      return probeHttp(url, input.timeoutMs, deps.fetch);
    },

    /** The service's p95 inference latency from Prometheus, or why there is none (then callers probe). */
    async readLatencyP95(input: { query: string; timeoutMs: number }): Promise<LatencyReading> {
      if (!deps.prometheusUrl)
        return { source: 'none', reason: 'no Prometheus configured (PNO_PROMETHEUS_URL on the worker)' };
      return readLatencyP95(deps.prometheusUrl, input.query, input.timeoutMs, deps.fetch);
    },
  };
}

import { ApplicationFailure } from '@temporalio/common';
import { probeHttp } from './probe.ts';
import { FailureType, type HttpProbe } from '../../types/index.ts';

export interface HttpDeps {
  /** The inference API used when a workflow leaves its URL empty (the worker's PNO_API_URL). */
  defaultApiBaseUrl?: string;
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
  };
}

// The HTTP probe against a real local server: status, latency, timeouts and refused connections.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpActivities } from '../../activities/http/index.ts';
import { startInferenceApi, type InferenceApi } from '../../stack/inference-api.ts';
import { closedPort } from '../helpers/net.ts';

let api: InferenceApi;
beforeAll(async () => {
  api = await startInferenceApi();
});
afterAll(() => api.close());

describe('probeEndpoint', () => {
  const { probeEndpoint } = createHttpActivities();

  it('reports status and latency', async () => {
    api.set('/health', { status: 200, delayMs: 50 });
    const probe = await probeEndpoint({ baseUrl: api.url, path: '/health', timeoutMs: 2000 });
    expect(probe).toMatchObject({ url: `${api.url}/health`, statusCode: 200 });
    expect(probe.latencyMs).toBeGreaterThanOrEqual(50);
  });

  it('keeps a base path and reports non-200 answers as facts', async () => {
    const probe = await probeEndpoint({ baseUrl: `${api.url}/v1/`, path: '/health', timeoutMs: 2000 });
    expect(probe).toMatchObject({ url: `${api.url}/v1/health`, statusCode: 404 });
  });

  it('reports a timeout instead of throwing', async () => {
    api.set('/ready', { status: 200, delayMs: 1000 });
    const probe = await probeEndpoint({ baseUrl: api.url, path: '/ready', timeoutMs: 100 });
    expect(probe.statusCode).toBeUndefined();
    expect(probe.error).toBe('no answer within 100 ms');
  });

  it('reports a refused connection instead of throwing', async () => {
    const probe = await probeEndpoint({
      baseUrl: `http://127.0.0.1:${await closedPort()}`,
      path: '/health',
      timeoutMs: 2000,
    });
    expect(probe.error).toMatch(/ECONNREFUSED/);
  });

  it('uses the worker default URL, and fails for good when there is none', async () => {
    const withDefault = createHttpActivities({ defaultApiBaseUrl: api.url });
    api.set('/health', { status: 200 });
    await expect(withDefault.probeEndpoint({ baseUrl: '', path: '/health', timeoutMs: 2000 })).resolves.toMatchObject({
      statusCode: 200,
    });
    await expect(probeEndpoint({ baseUrl: '', path: '/health', timeoutMs: 2000 })).rejects.toMatchObject({
      nonRetryable: true,
      message: expect.stringContaining('PNO_API_URL'),
    });
  });
});

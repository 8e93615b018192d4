import type { HttpProbe } from '../../types/index.ts';

/**
 * GETs a URL once and reports status and latency. An unreachable endpoint is reported as a fact
 * (error set) rather than thrown: the workflow decides what an unhealthy API means.
 */
export async function probeHttp(url: string, timeoutMs: number, fetchImpl: typeof fetch = fetch): Promise<HttpProbe> {
  const started = performance.now();
  try {
    const response = await fetchImpl(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
    // Drain the body so the connection is released; its content is not needed.
    await response.arrayBuffer();
    return { url, statusCode: response.status, latencyMs: elapsed(started) };
  } catch (err) {
    return { url, latencyMs: elapsed(started), error: describeFetchError(err, timeoutMs) };
  }
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}

/** Why a fetch got no answer, in words: a timeout, or the connection's own error. */
export function describeFetchError(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
    return `no answer within ${timeoutMs} ms`;
  }
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  return cause instanceof Error ? cause.message : String(cause);
}

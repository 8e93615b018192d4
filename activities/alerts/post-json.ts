// One JSON POST to an alert sink, failing the way Temporal should treat it: a sink that refuses the
// request (4xx) will refuse it again, so that is permanent; a sink that is down, slow or overloaded
// (5xx, 408, 429, refused, timeout) may recover, so that is a plain error the retry policy handles.
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../../types/index.ts';

export interface PostOptions {
  timeoutMs: number;
  headers?: Record<string, string>;
  fetch?: typeof fetch;
  signal?: AbortSignal;
}

/** 408 and 429 are client-side codes that mean "later", not "never". */
const transientClientErrors = new Set([408, 429]);

export async function postJson(sink: string, url: string, body: unknown, options: PostOptions): Promise<void> {
  const fetchImpl = options.fetch ?? fetch;
  const signals = [AbortSignal.timeout(options.timeoutMs), ...(options.signal ? [options.signal] : [])];
  let response: Response;
  try {
    response = await fetchImpl(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...options.headers },
      body: JSON.stringify(body),
      signal: AbortSignal.any(signals),
      redirect: 'error',
    });
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
    throw new Error(`${sink}: POST ${url} failed: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
  // Read the answer so the connection is released, and keep a little of it for the error message.
  const text = (await response.text().catch(() => '')).slice(0, 300);
  if (response.ok) return;
  const message = `${sink}: POST ${url} answered HTTP ${response.status}${text ? `: ${text}` : ''}`;
  if (response.status >= 400 && response.status < 500 && !transientClientErrors.has(response.status)) {
    throw ApplicationFailure.nonRetryable(message, FailureType.invalidRequest, { sink, statusCode: response.status });
  }
  throw new Error(message);
}

import { ApplicationFailure } from '@temporalio/common';
import { ApiException } from '@kubernetes/client-node';
import { FailureType } from '../../types/index.ts';

const permanent: Record<number, FailureType> = {
  400: FailureType.invalidRequest,
  403: FailureType.forbidden,
  404: FailureType.notFound,
  409: FailureType.conflict,
  422: FailureType.invalidRequest,
};

/**
 * Turns a Kubernetes API error into what Temporal should do with it: permanent conditions become
 * non-retryable typed failures; 5xx, timeouts and refused connections stay plain errors to retry.
 */
export function classifyKubeError(err: unknown, action: string): Error {
  if (err instanceof ApiException) {
    const type = permanent[err.code];
    const reason = apiMessage(err.body) ?? err.message;
    if (type) return ApplicationFailure.nonRetryable(`${action}: ${reason}`, type, { statusCode: err.code });
    return new Error(`${action}: HTTP ${err.code}: ${reason}`);
  }
  return err instanceof Error ? err : new Error(`${action}: ${String(err)}`);
}

function apiMessage(body: unknown): string | undefined {
  if (typeof body === 'string') {
    try {
      return apiMessage(JSON.parse(body));
    } catch {
      return body || undefined;
    }
  }
  if (body && typeof body === 'object' && 'message' in body && typeof body.message === 'string') return body.message;
  return undefined;
}

/** Runs one API call, classifying its failure. */
export async function kubeCall<T>(action: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw classifyKubeError(err, action);
  }
}

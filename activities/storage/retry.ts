// A retry schedule for S3 that outlasts a short outage (a MinIO restart, a load-balancer flip) inside
// one request, so a long streamed upload survives it instead of restarting the whole backup. The
// SDK's default (3 attempts, sub-second jittered backoff) gives up within a second or two.
import type { S3ClientConfig } from '@aws-sdk/client-s3';

export interface RetryOptions {
  /** Attempts per request, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/** 500 ms doubling to 8 s, ten attempts: about 47 s of patience per request. */
export const PATIENT_RETRIES: RetryOptions = { maxAttempts: 10, baseDelayMs: 500, maxDelayMs: 8_000 };

type RetryStrategyV2 = Extract<NonNullable<S3ClientConfig['retryStrategy']>, { acquireInitialRetryToken: unknown }>;

const token = (count: number, delay: number) => ({ getRetryCount: () => count, getRetryDelay: () => delay });

/** Retries what the SDK classes as transient or throttling (network errors, 5xx, 429), never client errors. */
export function patientRetryStrategy(options: RetryOptions = PATIENT_RETRIES): RetryStrategyV2 {
  return {
    acquireInitialRetryToken: async () => token(0, 0),
    async refreshRetryTokenForRetry(previous, info) {
      const retries = previous.getRetryCount() + 1;
      const retryable = info.errorType === 'TRANSIENT' || info.errorType === 'THROTTLING';
      if (!retryable || retries >= options.maxAttempts) throw info.error ?? new Error('S3 request failed');
      return token(retries, Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (retries - 1)));
    },
    recordSuccess() {},
  };
}

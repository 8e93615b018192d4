import { S3Client } from '@aws-sdk/client-s3';
import { patientRetryStrategy, type RetryOptions } from './retry.ts';

export interface S3ClientSettings {
  /** Custom endpoint for S3-compatible stores (MinIO); unset means AWS. */
  endpoint?: string;
  region: string;
  /** Explicit credentials; unset means the AWS default chain (env, profile, IRSA, instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Retry transient failures on this schedule instead of the SDK's short default (see retry.ts). */
  retry?: RetryOptions;
}

export function createS3Client(settings: S3ClientSettings): S3Client {
  return new S3Client({
    region: settings.region,
    ...(settings.endpoint ? { endpoint: settings.endpoint, forcePathStyle: true } : {}),
    ...(settings.credentials ? { credentials: settings.credentials } : {}),
    // No CRC32 over every uploaded byte: each sealed chunk's GCM tag already proves it end to end,
    // and the signature covers the payload's SHA-256 on the wire.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    ...(settings.retry
      ? {
          maxAttempts: settings.retry.maxAttempts,
          retryStrategy: patientRetryStrategy(settings.retry),
          // A half-open connection must fail (and be retried) rather than hang the upload.
          requestHandler: { connectionTimeout: 5_000, requestTimeout: 60_000 },
        }
      : {}),
  });
}

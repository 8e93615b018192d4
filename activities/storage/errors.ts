// S3 failures as Temporal should treat them: a missing object or bucket and refused credentials are
// permanent (non-retryable, typed); 5xx, throttling and network errors stay plain errors to retry.
import { S3ServiceException } from '@aws-sdk/client-s3';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../../types/index.ts';

const permanent: Record<string, FailureType> = {
  NoSuchKey: FailureType.notFound,
  NoSuchBucket: FailureType.notFound,
  NotFound: FailureType.notFound,
  AccessDenied: FailureType.forbidden,
  AllAccessDisabled: FailureType.forbidden,
  InvalidAccessKeyId: FailureType.forbidden,
  SignatureDoesNotMatch: FailureType.forbidden,
  // A read pinned by ETag (If-Match) found another object under the key.
  PreconditionFailed: FailureType.backupChanged,
};

export function classifyS3Error(err: unknown, where: string): unknown {
  if (err instanceof ApplicationFailure) return err;
  if (err instanceof S3ServiceException) {
    const status = err.$metadata.httpStatusCode;
    const type =
      permanent[err.name] ??
      (status === 403
        ? FailureType.forbidden
        : status === 404
          ? FailureType.notFound
          : status === 412
            ? FailureType.backupChanged
            : undefined);
    const detail = `${where}: ${err.name}${status ? ` (HTTP ${status})` : ''}`;
    if (type) return ApplicationFailure.nonRetryable(detail, type, { statusCode: status });
    return new Error(`${detail}: ${err.message}`, { cause: err });
  }
  return err;
}

/** Runs one S3 call, classifying its failure. */
export async function s3Call<T>(where: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw classifyS3Error(err, where);
  }
}

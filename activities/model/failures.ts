import { ApplicationFailure } from '@temporalio/common';
import type { FailureType } from '../../types/index.ts';

/** A permanent problem with the model, its source, the input or the validation data: retrying cannot help. */
export function modelFailure(type: FailureType, message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, type);
}

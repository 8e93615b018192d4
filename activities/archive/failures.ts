import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../../types/index.ts';

/** A permanent refusal of an archive: retrying reads the same bytes and fails the same way. */
export function badArchive(message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, FailureType.badArchive);
}

export function isBadArchive(err: unknown): err is ApplicationFailure {
  return err instanceof ApplicationFailure && err.type === FailureType.badArchive;
}

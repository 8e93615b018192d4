/** ApplicationFailure types. Non-retryable ones mark permanent conditions. */
export const FailureType = {
  invalidInput: 'InvalidInput',
  notFound: 'NotFound',
  forbidden: 'Forbidden',
  conflict: 'Conflict',
  invalidRequest: 'InvalidRequest',
} as const;
export type FailureType = (typeof FailureType)[keyof typeof FailureType];

/** ApplicationFailure types. Non-retryable ones mark permanent conditions. */
export const FailureType = {
  invalidInput: 'InvalidInput',
  notFound: 'NotFound',
  forbidden: 'Forbidden',
  conflict: 'Conflict',
  invalidRequest: 'InvalidRequest',
  /** An archive that fails authentication, its manifest, or the safety rules for entries. */
  badArchive: 'BadArchive',
} as const;
export type FailureType = (typeof FailureType)[keyof typeof FailureType];

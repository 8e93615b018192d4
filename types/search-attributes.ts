import { defineSearchAttributeKey } from '@temporalio/common';

/** Custom search attributes that make runs filterable in the Web UI and CLI (`PnoRoutine="daily"`). */
export const searchAttributes = {
  routine: defineSearchAttributeKey('PnoRoutine', 'KEYWORD'),
  targetNamespace: defineSearchAttributeKey('PnoTargetNamespace', 'KEYWORD'),
  /** `awaiting` while a run waits for a person, then `approved`, `rejected`, `expired` or `cancelled`. */
  approval: defineSearchAttributeKey('PnoApproval', 'KEYWORD'),
};

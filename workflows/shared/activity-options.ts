// Per-class activity timeouts and retry policies. Permanent failures are thrown non-retryable by the
// activities themselves, so these policies only ever retry transient ones.
import type { ActivityOptions } from '@temporalio/workflow';

/** Quick reads of cluster or HTTP state. */
export const quickRead: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 seconds', maximumAttempts: 5 },
};

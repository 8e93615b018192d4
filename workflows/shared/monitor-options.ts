// Activity options for what the monitors and optimizers add to the shared classes in activity-options.ts.
import type { ActivityOptions } from '@temporalio/workflow';

/** Alert delivery: a few quick retries for a sink that is down, well inside the monitors' one-minute period. */
export const alertDelivery: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '15 seconds', maximumAttempts: 4 },
};

/** History lines and reports in S3; the S3 client already retries each request itself. */
export const recordWrite: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '15 seconds', maximumAttempts: 5 },
};

/** Changes to the cluster (HPA bounds, server-side applies): quick, and permanent refusals are not retried. */
export const clusterChange: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 seconds', maximumAttempts: 5 },
};

// Every activity proxy a workflow uses, one per class of work, with its timeouts and retry policy.
// Permanent failures are thrown non-retryable by the activities themselves, so these policies only
// ever retry transient ones. Work that heartbeats has a heartbeat timeout, so a worker that dies
// mid-step is noticed within a minute or two, not at the step's deadline.
import { proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import type { Activities } from '../../activities/index.ts';

const quickRetry = {
  initialInterval: '1 second',
  backoffCoefficient: 2,
  maximumInterval: '10 seconds',
  maximumAttempts: 5,
};
const fewRetries = {
  initialInterval: '2 seconds',
  backoffCoefficient: 2,
  maximumInterval: '1 minute',
  maximumAttempts: 3,
};
const minutes = (n: number) => n * 60_000;

/** Quick reads of cluster or HTTP state, and small writes of reports. */
export const reads = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds', retry: quickRetry });

/** Changes to the cluster (HPA bounds, server-side applies, images): quick; refusals are not retried. */
export const clusterChanges = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds', retry: quickRetry });

/**
 * A recovery's own reads and changes of the cluster: a disaster may well include the API server, so
 * these outlast ten minutes of outage (refusals are non-retryable and still fail at once).
 */
export const recoverySteps = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '10 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '20 seconds' },
});

/** Writes to the bucket (history lines, reports, retention); the S3 client already retries each request itself. */
export const records = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '15 seconds', maximumAttempts: 5 },
});

/** Alert delivery: a few quick retries for a sink that is down, well inside the monitors' one-minute period. */
export const alerts = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '15 seconds', maximumAttempts: 4 },
});

/**
 * Moving archives (backup, verify, restore, copies into pods): long, and heartbeating. A minute, not
 * less: the S3 client retries one request for up to ~47 s through a store outage, and that must not
 * count as a dead worker.
 */
export const archives = proxyActivities<Activities>({
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '60 seconds',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '2 minutes', maximumAttempts: 6 },
});

/** Model work: a download, a digest and an ONNX Runtime session, heartbeating through each. */
export const models = proxyActivities<Activities>({
  startToCloseTimeout: '15 minutes',
  heartbeatTimeout: '2 minutes',
  retry: fewRetries,
});

/** A command run in a pod (log rotation, database maintenance); exec heartbeats while it runs. */
export const podCommands = proxyActivities<Activities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '1 minute',
  retry: { maximumAttempts: 2 },
});

/** A trivy scan: up to its own deadline, plus a minute to start and to report. */
export function scans(scanTimeoutMs: number) {
  return proxyActivities<Activities>(deadlineWork(scanTimeoutMs, '1 minute'));
}

/** Polling waits (pods Ready, rollout, build Job) that heartbeat each poll. */
export function waits(timeoutMs: number) {
  return proxyActivities<Activities>(deadlineWork(timeoutMs, '30 seconds'));
}

/** HTTP probes: each try may take the request timeout, twice over for a slow connect. */
export function probes(requestTimeoutMs: number) {
  return proxyActivities<Activities>({ startToCloseTimeout: 2 * requestTimeoutMs + 5_000, retry: quickRetry });
}

/** Work bounded by its own deadline, given a minute more to start and to report. */
function deadlineWork(timeoutMs: number, heartbeatTimeout: ActivityOptions['heartbeatTimeout']): ActivityOptions {
  return { startToCloseTimeout: timeoutMs + minutes(1), heartbeatTimeout, retry: fewRetries };
}

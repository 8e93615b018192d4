// Activity proxies for the security workflows, one per class of work with its own timeouts. Scans and
// waits heartbeat, so a worker that dies mid-scan is noticed in a minute, not at the deadline.
import { proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import type { Activities } from '../../activities/index.ts';
import { quickRead } from './activity-options.ts';

const retryFew = { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 3 };

/** A trivy scan: up to its own deadline, plus a minute to start and to report. */
export function scanner(scanTimeoutMs: number) {
  const options: ActivityOptions = { startToCloseTimeout: scanTimeoutMs + 60_000, heartbeatTimeout: '1 minute', retry: retryFew };
  return proxyActivities<Activities>(options);
}

/** Polling waits (rollout, build Job) that heartbeat each poll. */
export function waiter(timeoutMs: number) {
  return proxyActivities<Activities>({ startToCloseTimeout: timeoutMs + 60_000, heartbeatTimeout: '30 seconds', retry: retryFew });
}

/** Reads and small changes to the cluster, reports and alerts. */
export const quick = proxyActivities<Activities>(quickRead);

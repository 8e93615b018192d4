// Heartbeats and cancellation when running inside a Temporal activity; no-ops when the functions
// are called directly (tests, the bench), so the same code serves both.
import { asyncLocalStorage } from '@temporalio/activity';

export function heartbeat(details?: unknown): void {
  asyncLocalStorage.getStore()?.heartbeat(details);
}

export function cancellationSignal(): AbortSignal | undefined {
  return asyncLocalStorage.getStore()?.cancellationSignal;
}

// Long waits report progress and stop on cancellation. Inside an activity these are the heartbeat and
// the cancellation signal; outside one (scripts, tests) they are optional.
import { setTimeout as delay } from 'node:timers/promises';

export interface WaitOptions {
  timeoutMs: number;
  pollMs?: number;
  onProgress?: (detail: unknown) => void;
  signal?: AbortSignal;
}

/** A refusal (non-retryable failure) ends a wait; anything else (connection refused, 5xx) may pass. */
const isPermanent = (err: unknown) => (err as { nonRetryable?: boolean } | undefined)?.nonRetryable === true;

/**
 * Polls `check` until it reports done, the deadline passes (returns the last state) or the signal
 * aborts (throws). Each poll's state is reported as progress. A poll that fails transiently (the API
 * server restarting) is reported and polled again: the wait rides out an outage up to its deadline,
 * and fails with the last error only if no poll ever answered.
 */
export async function pollUntil<T extends { done: boolean }>(
  check: () => Promise<T>,
  options: WaitOptions,
): Promise<T & { timedOut: boolean }> {
  const deadline = Date.now() + options.timeoutMs;
  let last: T | undefined;
  for (;;) {
    options.signal?.throwIfAborted();
    let state: T;
    try {
      state = await check();
    } catch (err) {
      if (isPermanent(err) || Date.now() >= deadline) {
        if (last && !isPermanent(err)) return { ...last, timedOut: true };
        throw err;
      }
      options.onProgress?.({ retrying: err instanceof Error ? err.message : String(err) });
      await delay(Math.min(options.pollMs ?? 1000, Math.max(0, deadline - Date.now())), undefined, {
        signal: options.signal,
      });
      continue;
    }
    last = state;
    options.onProgress?.(state);
    if (state.done) return { ...state, timedOut: false };
    if (Date.now() >= deadline) return { ...state, timedOut: true };
    await delay(Math.min(options.pollMs ?? 1000, Math.max(0, deadline - Date.now())), undefined, {
      signal: options.signal,
    });
  }
}

/** Heartbeats every `everyMs` until `work` settles: for one long call that has no progress of its own. */
export async function heartbeatWhile<T>(work: Promise<T>, heartbeat: () => void, everyMs = 10_000): Promise<T> {
  const timer = setInterval(heartbeat, everyMs);
  try {
    return await work;
  } finally {
    clearInterval(timer);
  }
}

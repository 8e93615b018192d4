// Change tokens: what a source reports to identify one version of a file (device, inode, size,
// modification and change time, as restic and git compare). The change time cannot be set by a
// user, so a file rewritten in place gets a new token; a token equal to the earlier backup's means
// the same bytes, and the file is not read again.

/**
 * A file changed this recently gets no token: a second write within the clock tick of the listing
 * would leave its times as listed. The margin also absorbs a little skew between a pod's node
 * and the worker.
 */
export const CHANGE_TOKEN_MARGIN_MS = 2000;

/** Whether a change time (ms since the epoch) is too recent to vouch for the file's content. */
export function isRacy(changedAtMs: number, nowMs: number): boolean {
  return !(changedAtMs <= nowMs - CHANGE_TOKEN_MARGIN_MS);
}

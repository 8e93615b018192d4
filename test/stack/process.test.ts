// The local stack's process starter: a command that is not installed fails its wait at once, naming
// why, instead of crashing the run with an unhandled 'error' event or waiting out the deadline.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProcess, waitUntil } from '../../stack/process.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pno-process-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('startProcess', () => {
  it('reports a command that cannot be started as such, not as a timeout', async () => {
    const proc = startProcess('missing', join(dir, 'no-such-binary'), [], { logFile: join(dir, 'missing.log') });
    await expect(waitUntil('missing', async () => false, { timeoutMs: 60_000, process: proc })).rejects.toThrow(
      /missing: could not start: spawn .*no-such-binary ENOENT/,
    );
    await expect(proc.stop()).resolves.toBeUndefined();
  });

  it('still reports a process that started and exited', async () => {
    const proc = startProcess('false', 'false', [], { logFile: join(dir, 'false.log') });
    await expect(waitUntil('false', async () => false, { timeoutMs: 60_000, process: proc })).rejects.toThrow(
      /false: process exited \(1\)/,
    );
  });
});

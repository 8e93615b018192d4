// Starts the worker of ./crash-worker.ts in a process of its own, so a test can SIGKILL it in the
// middle of an activity; `killAll` (afterEach) makes sure no such process outlives its test.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { inject } from 'vitest';

const children: ReturnType<typeof spawn>[] = [];

export interface CrashWorkerOptions {
  taskQueue: string;
  bucket: string;
  keyBytes: Buffer;
  /** Where this worker stages restores (a directory of its own, as on another machine). */
  stageDir?: string;
}

/** A polling worker in another process; resolves once it polls. */
export async function startCrashWorker(options: CrashWorkerOptions) {
  const child = spawn(process.execPath, [new URL('./crash-worker.ts', import.meta.url).pathname], {
    env: {
      ...process.env,
      PNO_CRASH_WORKER: JSON.stringify({
        address: inject('temporalAddress'),
        namespace: inject('temporalNamespace'),
        taskQueue: options.taskQueue,
        bundle: inject('workflowBundlePath'),
        kubeconfig: inject('workerKubeconfig'),
        s3: inject('s3'),
        bucket: options.bucket,
        key: options.keyBytes.toString('base64'),
        stageDir: options.stageDir,
      }),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const exited = once(child, 'exit');
  await once(child.stdout!, 'data');
  return { child, exited };
}

export function killAll() {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
}

/** 120 MB of incompressible "weights" in `dir`, written in pieces (never held whole in memory): long enough to kill a worker mid-way. */
export async function largeModel(dir: string) {
  const pieces = function* () {
    for (let i = 0; i < 120; i++) yield randomBytes(1024 * 1024);
  };
  await pipeline(Readable.from(pieces()), createWriteStream(join(dir, 'large-weights.bin')));
}

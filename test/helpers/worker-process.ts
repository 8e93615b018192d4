// The product's worker as deployed (workers/main.ts) in a process of its own, configured only by its
// environment; resolves once it logs that it polls. `stop` sends SIGTERM and waits for the exit.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

export interface WorkerProcess {
  child: ChildProcess;
  /** Everything it logged to stdout so far (JSON lines). */
  output(): string;
  stop(): Promise<void>;
}

export async function startWorkerProcess(env: Record<string, string>): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [fileURLToPath(new URL('../../workers/main.ts', import.meta.url))], {
    env: { PATH: process.env.PATH, LOG_LEVEL: 'INFO', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let seen = '';
  let errors = '';
  child.stderr!.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.split('\n').some((line) => line.includes('"worker polling"'))) resolve();
    });
    child.once('exit', (code) => reject(new Error(`worker exited ${code} before polling:\n${seen}${errors}`)));
  });
  return {
    child,
    output: () => seen,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

// Runs the trivy binary: an argument array (never a shell), JSON on stdout, a hard deadline, and the
// heartbeat and cancellation of the running activity. Failures come back classified (trivy-errors.ts).
import { spawn } from 'node:child_process';
import { classifyTrivyExit, scannerMissing, scanTimeout } from './trivy-errors.ts';

export interface TrivyRunOptions {
  /** Trivy's own --timeout; the process is killed a little after it if trivy does not stop. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** Called every few seconds while trivy runs (the activity heartbeat). */
  onAlive?: (elapsedMs: number) => void;
  env?: NodeJS.ProcessEnv;
  /** Time trivy gets past its own --timeout to report it before it is killed. */
  killGraceMs?: number;
}

/** A report larger than this is refused rather than exhausting the worker's memory. */
const MAX_REPORT_BYTES = 256 * 1024 * 1024;
/** Enough of stderr to say why trivy failed. */
const STDERR_TAIL = 16 * 1024;
const KILL_GRACE_MS = 15_000;

/** Runs `trivy <args>` and returns its parsed JSON report. */
export async function runTrivyJson(trivyPath: string, args: string[], options: TrivyRunOptions): Promise<unknown> {
  const started = Date.now();
  const child = spawn(trivyPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    signal: options.signal,
    env: options.env ?? process.env,
  });
  const stdout: Buffer[] = [];
  let stdoutBytes = 0;
  let stderr = '';
  let tooLarge = false;
  let killedByDeadline = false;
  child.stdout.on('data', (chunk: Buffer) => {
    stdoutBytes += chunk.length;
    if (stdoutBytes > MAX_REPORT_BYTES) {
      tooLarge = true;
      child.kill('SIGKILL');
      return;
    }
    stdout.push(chunk);
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_TAIL);
  });
  const deadline = setTimeout(
    () => {
      killedByDeadline = true;
      child.kill('SIGKILL');
    },
    options.timeoutMs + (options.killGraceMs ?? KILL_GRACE_MS),
  );
  const alive = setInterval(() => options.onAlive?.(Date.now() - started), 5_000);

  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT' || err.code === 'EACCES') reject(scannerMissing(trivyPath, err.code));
        else reject(err);
      });
      child.once('close', (exitCode) => resolve(exitCode));
    });
    options.signal?.throwIfAborted();
    if (killedByDeadline) throw scanTimeout(options.timeoutMs, 'trivy did not stop at its own deadline and was killed');
    if (tooLarge) throw new Error(`trivy report larger than ${MAX_REPORT_BYTES} bytes`);
    if (code !== 0) throw classifyTrivyExit(code, stderr, options.timeoutMs);
    const body = Buffer.concat(stdout).toString('utf8');
    try {
      return JSON.parse(body) as unknown;
    } catch {
      throw classifyTrivyExit(
        code,
        `trivy exited 0 but its output is not JSON: ${body.slice(0, 200)}\n${stderr}`,
        options.timeoutMs,
      );
    }
  } finally {
    clearTimeout(deadline);
    clearInterval(alive);
  }
}

/** The options every trivy run shares: JSON, no progress bar, the deadline, the cache. */
export function commonArgs(options: { timeoutMs: number; cacheDir?: string }): string[] {
  return [
    '--format',
    'json',
    '--quiet',
    '--timeout',
    `${options.timeoutMs}ms`,
    ...(options.cacheDir ? ['--cache-dir', options.cacheDir] : []),
  ];
}

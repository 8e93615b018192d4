// Child processes for local servers: started from an argument array (never a shell), output kept in
// a log file for diagnosis, readiness awaited by polling a condition, stopped gently then firmly.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

export interface ServerProcess {
  name: string;
  child: ChildProcess;
  logFile: string;
  /** Set when the command could not be started at all (e.g. not installed). */
  startError?: Error;
  stop(): Promise<void>;
}

export function startProcess(
  name: string,
  command: string,
  args: string[],
  options: {
    env?: NodeJS.ProcessEnv;
    logFile: string;
    /**
     * 'own' (the default) gives the server a process group of its own, so a Ctrl-C in the terminal
     * reaches only this process, which then stops the servers in order (the node drains through the
     * API server). 'terminal' lets it die with the terminal's process group (nothing waits on it).
     */
    processGroup?: 'own' | 'terminal';
    /** Run as this user (a server that refuses root, such as PostgreSQL). */
    user?: { uid: number; gid: number };
    /** What asks it to stop (default SIGTERM; PostgreSQL's fast shutdown is SIGINT). */
    stopSignal?: NodeJS.Signals;
  },
): ServerProcess {
  const log = createWriteStream(options.logFile, { flags: 'a' });
  const child = spawn(command, args, {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: (options.processGroup ?? 'own') === 'own',
    ...options.user,
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const server: ServerProcess = {
    name,
    child,
    logFile: options.logFile,
    async stop() {
      if (server.startError || child.exitCode !== null || child.signalCode !== null) return;
      child.kill(options.stopSignal ?? 'SIGTERM');
      // Unref'd: once the child has exited, the grace timer must not hold the process open for 10 s.
      const stopped = await Promise.race([
        exited.then(() => true),
        delay(10_000, undefined, { ref: false }).then(() => false),
      ]);
      if (!stopped) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
  // A command that cannot be spawned emits 'error' instead of exiting; unhandled, it would crash the process.
  child.once('error', (err) => {
    server.startError = err;
  });
  return server;
}

/** Polls `ready` until it returns true; fails early if the process exits, or at the deadline. */
export async function waitUntil(
  what: string,
  ready: () => Promise<boolean>,
  options: { timeoutMs: number; process?: ServerProcess },
) {
  const deadline = Date.now() + options.timeoutMs;
  for (let wait = 50; ; wait = Math.min(wait * 2, 500)) {
    if (await ready().catch(() => false)) return;
    const startError = options.process?.startError;
    if (startError)
      throw new Error(
        `${what}: could not start: ${startError.message} (setup installs it: ./ops or scripts/tools/ensure-*.sh)`,
      );
    const child = options.process?.child;
    if (child && (child.exitCode !== null || child.signalCode !== null)) {
      throw new Error(
        `${what}: process exited (${child.exitCode ?? child.signalCode}); see ${options.process?.logFile}`,
      );
    }
    if (Date.now() > deadline) {
      throw new Error(
        `${what}: not ready within ${options.timeoutMs} ms${options.process ? `; see ${options.process.logFile}` : ''}`,
      );
    }
    await delay(wait);
  }
}

/** A free loopback TCP port (the OS picks it). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A free loopback TCP port from [low, high], for a server that cannot store an ephemeral one. */
export async function freePortIn(low: number, high: number): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = low + Math.floor(Math.random() * (high - low + 1));
    const server = createServer();
    const bound = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (!bound) continue;
    await new Promise((resolve) => server.close(resolve));
    return port;
  }
  throw new Error(`no free port in ${low}..${high} after 100 tries`);
}

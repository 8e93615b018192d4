// Runs a command in a pod's container (argument array, no shell), as `kubectl exec` does, over the
// API server's exec WebSocket; streams in and out so large copies never sit in memory.
import { PassThrough, Writable, type Readable } from 'node:stream';
import * as k8s from '@kubernetes/client-node';
import { ApplicationFailure } from '@temporalio/common';
import type { KubeClients } from './clients.ts';
import { classifyKubeError } from './errors.ts';
import { FailureType } from '../../types/index.ts';

export interface ExecTarget {
  namespace: string;
  pod: string;
  container: string;
}

export interface ExecStreams {
  stdout?: Writable;
  stderr?: Writable;
  stdin?: Readable;
  signal?: AbortSignal;
}

/** Exit code of the command; stdout/stderr go to the given streams. */
export async function execStream(
  kube: KubeClients,
  target: ExecTarget,
  command: string[],
  streams: ExecStreams,
): Promise<number> {
  const exec = new k8s.Exec(kube.config);
  const stdout = streams.stdout ?? new PassThrough().resume();
  const stderr = streams.stderr ?? new PassThrough().resume();
  return new Promise<number>((resolve, reject) => {
    let settled = false;
    const finish = (outcome: () => void) => {
      if (!settled) {
        settled = true;
        outcome();
      }
    };
    exec
      .exec(
        target.namespace,
        target.pod,
        target.container,
        command,
        stdout,
        stderr,
        streams.stdin ?? null,
        false,
        (status) => {
          finish(() => {
            try {
              resolve(exitCodeOf(status));
            } catch (err) {
              reject(err as Error);
            }
          });
        },
      )
      .then((socket) => {
        streams.signal?.addEventListener('abort', () => {
          socket.close();
          finish(() => reject(streams.signal?.reason ?? new Error('exec cancelled')));
        });
        socket.on('close', () =>
          finish(() => reject(new Error(`exec in ${target.namespace}/${target.pod} closed without a status`))),
        );
      })
      .catch((err: unknown) => finish(() => reject(classifyExecError(err, target))));
  });
}

/** The exit code a kubelet reports in the exec status (reason NonZeroExitCode, cause ExitCode). */
export function exitCodeOf(status: k8s.V1Status): number {
  if (status.status === 'Success') return 0;
  const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
  if (cause?.message !== undefined) return Number(cause.message);
  // A failure without an exit code means the command could not run at all (e.g. not found).
  throw ApplicationFailure.nonRetryable(
    `exec failed: ${status.message ?? 'unknown error'}`,
    FailureType.invalidRequest,
  );
}

function classifyExecError(err: unknown, target: ExecTarget): Error {
  // The WebSocket upgrade fails with the HTTP status the API server gave (404 pod, 403 RBAC, …).
  const status = /Unexpected server response: (\d{3})/.exec(String((err as Error)?.message ?? err))?.[1];
  if (status)
    return classifyKubeError(
      new k8s.ApiException(Number(status), `HTTP ${status}`, '', {}),
      `exec in ${target.namespace}/${target.pod}`,
    );
  return err instanceof Error ? err : new Error(String(err));
}

/** Collects a bounded amount of text output (the rest is counted, not kept). */
export function boundedText(limitBytes: number) {
  const chunks: Buffer[] = [];
  let kept = 0;
  let dropped = 0;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      const room = Math.max(0, limitBytes - kept);
      if (room > 0) chunks.push(chunk.subarray(0, room));
      kept += Math.min(room, chunk.length);
      dropped += Math.max(0, chunk.length - room);
      done();
    },
  });
  return {
    sink,
    text: () => Buffer.concat(chunks).toString('utf8') + (dropped > 0 ? `\n… ${dropped} more bytes` : ''),
  };
}

/** Runs a command and returns its exit code and (bounded) output. */
export async function execCommand(
  kube: KubeClients,
  target: ExecTarget,
  command: string[],
  options: { signal?: AbortSignal; outputLimitBytes?: number } = {},
) {
  const stdout = boundedText(options.outputLimitBytes ?? 64 * 1024);
  const stderr = boundedText(options.outputLimitBytes ?? 64 * 1024);
  const exitCode = await execStream(kube, target, command, {
    stdout: stdout.sink,
    stderr: stderr.sink,
    signal: options.signal,
  });
  return { exitCode, stdout: stdout.text(), stderr: stderr.text() };
}

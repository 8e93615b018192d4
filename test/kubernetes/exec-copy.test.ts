// exec and tar-over-exec copy through the real API server and the real node's kubelet, into the
// containers of a copy of the production fixture, as the worker's own ServiceAccount.
import { createHash } from 'node:crypto';
import { mkdtemp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { copyFromPod, copyToPod } from '../../activities/kubernetes/copy.ts';
import { execCommand, exitCodeOf } from '../../activities/kubernetes/exec.ts';
import { pickReadyPod } from '../../activities/kubernetes/status.ts';
import { testKube, workerKube } from '../helpers/kube.ts';
import { SERVICE_CONTAINER, SERVICE_SELECTOR, serviceCopy } from '../helpers/service.ts';

let namespace: string;
beforeAll(async () => {
  namespace = await serviceCopy('exec');
});

async function target() {
  const pod = await pickReadyPod(workerKube(), namespace, SERVICE_SELECTOR);
  return { namespace, pod, container: SERVICE_CONTAINER };
}

describe('exec and copy', () => {
  it('runs a command in the container and reports its output and exit code', async () => {
    const ok = await execCommand(workerKube(), await target(), ['sh', '-c', 'echo out; echo err >&2']);
    expect(ok).toEqual({ exitCode: 0, stdout: 'out\n', stderr: 'err\n' });
    await expect(execCommand(workerKube(), await target(), ['sh', '-c', 'exit 3'])).resolves.toMatchObject({
      exitCode: 3,
    });
  });

  it('fails for good when the command cannot run at all', async () => {
    await expect(execCommand(workerKube(), await target(), ['/no/such/binary'])).rejects.toMatchObject({
      nonRetryable: true,
      message: expect.stringContaining('exec failed'),
    });
  });

  it('reads the exit code from the status a kubelet reports, and refuses a failure without one', () => {
    const status = {
      status: 'Failure',
      reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: '3' }] },
    };
    expect(exitCodeOf(status)).toBe(3);
    expect(exitCodeOf({ status: 'Success' })).toBe(0);
    expect(() => exitCodeOf({ status: 'Failure', message: 'command terminated' })).toThrow(
      'exec failed: command terminated',
    );
  });

  it('passes arguments as an array: no shell sees them', async () => {
    const result = await execCommand(workerKube(), await target(), ['echo', '$(id)', '; rm -rf /']);
    expect(result.stdout).toBe('$(id) ; rm -rf /\n');
  });

  it('fails for good when the pod does not exist', async () => {
    await expect(
      execCommand(workerKube(), { namespace, pod: 'no-such-pod', container: 'x' }, ['true']),
    ).rejects.toMatchObject({
      type: 'NotFound',
      nonRetryable: true,
    });
  });

  it('copies a directory into a container and back out byte for byte', async () => {
    const local = await mkdtemp(join(tmpdir(), 'pno-copy-'));
    await mkdir(join(local, 'models/sub'), { recursive: true });
    const weights = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7919) % 256));
    await writeFile(join(local, 'models/pno_model.onnx'), weights);
    await writeFile(join(local, 'models/sub/config.json'), '{"modes": 16}');
    const remote = `/scratch/copy-${Date.now()}`;
    const pod = await target();

    await expect(copyToPod(workerKube(), pod, join(local, 'models'), remote)).resolves.toEqual({
      files: 2,
      bytes: weights.length + 13,
    });
    // Seen inside the container, with the admin's own exec.
    const inside = await execCommand(testKube(), pod, ['sha256sum', `${remote}/pno_model.onnx`]);
    expect(inside.stdout.split(' ')[0]).toBe(createHash('sha256').update(weights).digest('hex'));

    const back = join(local, 'back');
    const copied = await copyFromPod(workerKube(), pod, remote, back);
    expect(copied).toEqual({ files: 2, bytes: weights.length + 13 });
    expect(Buffer.compare(await readFile(join(back, 'pno_model.onnx')), weights)).toBe(0);
    expect(await readFile(join(back, 'sub/config.json'), 'utf8')).toBe('{"modes": 16}');
  });

  it('refuses links coming out of a pod', async () => {
    const pod = await target();
    const remote = `/scratch/links-${Date.now()}`;
    await expect(
      execCommand(testKube(), pod, ['sh', '-c', `mkdir -p ${remote} && ln -s /etc/passwd ${remote}/escape`]),
    ).resolves.toMatchObject({ exitCode: 0 });
    const local = await mkdtemp(join(tmpdir(), 'pno-copy-'));
    await expect(copyFromPod(workerKube(), pod, remote, local)).rejects.toMatchObject({
      nonRetryable: true,
      message: expect.stringContaining('escape is a symlink'),
    });
  });
});

// exec and tar-over-exec copy through the real API server. kwok's ClusterExec runs the command on
// this host in the shared pod directory (there are no containers here), so these test our side of
// the protocol (WebSocket exec, exit codes, streamed tar), not a container's filesystem.
import { mkdtemp, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { copyFromPod, copyToPod } from '../../activities/kubernetes/copy.ts';
import { execCommand, exitCodeOf } from '../../activities/kubernetes/exec.ts';
import { pickReadyPod } from '../../activities/kubernetes/status.ts';
import { testKube } from '../helpers/kube.ts';

async function target() {
  const pod = await pickReadyPod(testKube(), 'production', 'app=pno-physics-bench');
  return { namespace: 'production', pod, container: 'pno-inference' };
}

describe('exec and copy', () => {
  it('runs a command and reports its output', async () => {
    const ok = await execCommand(testKube(), await target(), ['sh', '-c', 'echo out; echo err >&2']);
    expect(ok).toEqual({ exitCode: 0, stdout: 'out\n', stderr: 'err\n' });
  });

  it('fails for good when the command fails without an exit code (as kwok reports it)', async () => {
    await expect(execCommand(testKube(), await target(), ['sh', '-c', 'exit 3'])).rejects.toMatchObject({
      nonRetryable: true,
      message: expect.stringContaining('exit status 3'),
    });
  });

  it('reads the exit code a kubelet reports', () => {
    // The status shape a real kubelet sends for `exit 3` (kwok cannot produce it).
    const status = {
      status: 'Failure',
      reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: '3' }] },
    };
    expect(exitCodeOf(status)).toBe(3);
    expect(exitCodeOf({ status: 'Success' })).toBe(0);
  });

  it('passes arguments as an array: no shell sees them', async () => {
    const result = await execCommand(testKube(), await target(), ['echo', '$(id)', '; rm -rf /']);
    expect(result.stdout).toBe('$(id) ; rm -rf /\n');
  });

  it('fails for good when the pod does not exist', async () => {
    await expect(
      execCommand(testKube(), { namespace: 'production', pod: 'no-such-pod', container: 'x' }, ['true']),
    ).rejects.toMatchObject({
      type: 'NotFound',
      nonRetryable: true,
    });
  });

  it('copies a directory into a pod and back out byte for byte', async () => {
    const local = await mkdtemp(join(tmpdir(), 'pno-copy-'));
    await mkdir(join(local, 'models/sub'), { recursive: true });
    const weights = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7919) % 256));
    await writeFile(join(local, 'models/pno_model.onnx'), weights);
    await writeFile(join(local, 'models/sub/config.json'), '{"modes": 16}');
    const remote = `copy-${Date.now()}`;

    await expect(copyToPod(testKube(), await target(), join(local, 'models'), remote)).resolves.toEqual({
      files: 2,
      bytes: weights.length + 13,
    });
    expect(Buffer.compare(await readFile(join(inject('podRoot'), remote, 'pno_model.onnx')), weights)).toBe(0);

    const back = join(local, 'back');
    const copied = await copyFromPod(testKube(), await target(), remote, back);
    expect(copied).toEqual({ files: 2, bytes: weights.length + 13 });
    expect(Buffer.compare(await readFile(join(back, 'pno_model.onnx')), weights)).toBe(0);
    expect(await readFile(join(back, 'sub/config.json'), 'utf8')).toBe('{"modes": 16}');
  });

  it('refuses links coming out of a pod', async () => {
    const remote = join(inject('podRoot'), `links-${Date.now()}`);
    await mkdir(remote);
    await symlink('/etc/passwd', join(remote, 'escape'));
    const local = await mkdtemp(join(tmpdir(), 'pno-copy-'));
    await expect(copyFromPod(testKube(), await target(), remote, local)).rejects.toMatchObject({
      nonRetryable: true,
      message: expect.stringContaining('escape is a symlink'),
    });
  });
});

// Loads a backup's database dump from the recovery's stage into the database: the dump is copied
// into the database's pod, then the restore command runs there with the dump's path as its last
// argument (`psql ... --file <dump>`). Not fed on stdin: a command that stops reading early (psql at
// its first error) would leave the exec open until all its input was taken, which never happens.
// Once loaded, the Deployment is stamped with the recovery, so a retry or reset of that recovery
// never loads the dump again over what the service has written since. The command's output stays
// in the worker: only its exit code reaches the workflow.
import { createHash } from 'node:crypto';
import { basename, dirname } from 'node:path';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { copyToPod } from '../kubernetes/copy.ts';
import { boundedText, execCommand, execStream } from '../kubernetes/exec.ts';
import { kubeCall } from '../kubernetes/errors.ts';
import { mergePatch } from '../kubernetes/patch.ts';
import { heartbeatWhile } from '../kubernetes/progress.ts';
import { pickReadyPod, podSelectorOf } from '../kubernetes/status.ts';
import { databaseDumpOf, ensureStaged } from './stage.ts';
import type { RestoreContext } from './restore.ts';
import {
  DATABASE_RESTORED_BY_ANNOTATION,
  FailureType,
  type RestoreDatabaseInput,
  type RestoreDatabaseResult,
} from '../../types/index.ts';

/** Where in the database's container the dump is put while it loads. */
const POD_TEMP_DIR = '/tmp';

/** `restoreCommand` is the argument array the input's command name stands for. */
export async function restoreDatabase(
  ctx: RestoreContext,
  input: RestoreDatabaseInput,
  restoreCommand: string[],
): Promise<RestoreDatabaseResult> {
  const stage = await ensureStaged(ctx, input.key, input.etag);
  const downloadedBytes = stage.staged.downloadedBytes;
  if (!stage.record.manifest.components.includes('database'))
    throw ApplicationFailure.nonRetryable(`backup ${input.key} holds no database dump`, FailureType.invalidInput);
  const { namespace, deployment: name } = input;
  const deployment = await kubeCall(`read deployment ${namespace}/${name}`, () =>
    ctx.kube.apps.readNamespacedDeployment({ namespace, name }),
  );
  if (deployment.metadata?.annotations?.[DATABASE_RESTORED_BY_ANNOTATION] === input.recovery)
    return { loadedBytes: 0, alreadyLoaded: true, downloadedBytes };

  const pod = await pickReadyPod(ctx.kube, namespace, podSelectorOf(deployment));
  const target = { namespace, pod, container: input.container };
  // One directory per recovery, so a retry overwrites its own copy and nothing else.
  const remoteDir = `${POD_TEMP_DIR}/pno-restore-${createHash('sha256').update(input.recovery).digest('hex').slice(0, 16)}`;
  const stderr = boundedText(4 * 1024);
  const heartbeat = () => ctx.onProgress?.({ loadingInto: pod });
  let code: number;
  try {
    await heartbeatWhile(
      copyToPod(ctx.kube, target, dirname(databaseDumpOf(stage)), remoteDir, { signal: ctx.signal }),
      heartbeat,
    );
    const load = execStream(ctx.kube, target, [...restoreCommand, `${remoteDir}/${basename(databaseDumpOf(stage))}`], {
      stderr: stderr.sink,
      signal: ctx.signal,
    });
    code = await heartbeatWhile(load, heartbeat);
  } finally {
    // The copy is the database's data: it does not stay behind in the container.
    await execCommand(ctx.kube, target, ['rm', '-rf', remoteDir]).catch(() => undefined);
  }
  if (code !== 0) {
    // The operator reads why in the worker's log; the history keeps the exit code only.
    Context.current().log.warn('database restore failed', { pod, code, stderr: stderr.text() });
    throw ApplicationFailure.nonRetryable(
      `database restore in ${namespace}/${pod} (${input.container}) exited ${code}`,
      FailureType.recoveryFailed,
    );
  }
  await kubeCall(`mark ${namespace}/${name} restored`, () =>
    ctx.kube.apps.patchNamespacedDeployment(
      {
        namespace,
        name,
        body: { metadata: { annotations: { [DATABASE_RESTORED_BY_ANNOTATION]: input.recovery } } },
      },
      mergePatch,
    ),
  );
  return { pod, loadedBytes: stage.record.databaseBytes, alreadyLoaded: false, downloadedBytes };
}

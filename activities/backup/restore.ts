// Restores from the recovery's stage (./stage.ts): the whole archive has been read, authenticated and
// checked against its manifest before any of it reaches the cluster, and it is read from the store
// once per recovery, however many steps use it. A bad archive therefore changes nothing.
import { ApplicationFailure } from '@temporalio/common';
import type { KubeClients } from '../kubernetes/clients.ts';
import { copyToPod } from '../kubernetes/copy.ts';
import { heartbeatWhile } from '../kubernetes/progress.ts';
import { applyObjects, cleanForExport, fromYaml } from '../kubernetes/resources.ts';
import { admitForRestore } from './admission.ts';
import { listPods } from '../kubernetes/status.ts';
import { ensureStaged, modelsOf, stagedYaml, type StageContext } from './stage.ts';
import {
  FailureType,
  RESTORED_BY_ANNOTATION,
  type RestoreModelsInput,
  type RestoreResourcesInput,
  type RestoredObject,
} from '../../types/index.ts';

export interface RestoreContext extends StageContext {
  kube: KubeClients;
  fieldManager: string;
}

export async function restoreResources(ctx: RestoreContext, input: RestoreResourcesInput) {
  const stage = await ensureStaged(ctx, input.key, input.etag);
  const heartbeat = (object: RestoredObject) => ctx.onProgress?.({ applied: `${object.kind}/${object.name}` });
  const source = stage.record.manifest.namespace;
  const resources = admitForRestore((await stagedYaml(stage, 'resources')).flatMap(fromYaml), source, input.key);
  const stamp = input.recovery ? { annotations: { [RESTORED_BY_ANNOTATION]: input.recovery } } : {};
  const applied: RestoredObject[] = await applyObjects(ctx.kube, resources, {
    fieldManager: ctx.fieldManager,
    targetNamespace: input.targetNamespace,
    onApplied: heartbeat,
    ...stamp,
  });
  if (input.includeMonitoring) {
    // The monitoring config is ConfigMaps (rules, dashboards): nothing else from that section is applied.
    const config = (await stagedYaml(stage, 'monitoring'))
      .flatMap(fromYaml)
      .filter((o) => o.apiVersion === 'v1' && o.kind === 'ConfigMap')
      .map(cleanForExport);
    applied.push(
      ...(await applyObjects(ctx.kube, config, {
        fieldManager: ctx.fieldManager,
        targetNamespace: input.monitoringNamespace,
        onApplied: heartbeat,
        ...stamp,
      })),
    );
  }
  return { applied, downloadedBytes: stage.staged.downloadedBytes };
}

export async function restoreModels(ctx: RestoreContext, input: RestoreModelsInput) {
  const stage = await ensureStaged(ctx, input.key, input.etag);
  const { models: files } = stage.record;
  const result = { files, modelsDir: input.modelsDir, downloadedBytes: stage.staged.downloadedBytes };
  if (files === 0) return { ...result, pods: [] as string[] };
  const pods = (await listPods(ctx.kube, input.namespace, input.selector)).filter((p) => p.ready).map((p) => p.name);
  if (pods.length === 0)
    throw ApplicationFailure.retryable(
      `no ready pod matches ${input.selector} in ${input.namespace}`,
      FailureType.noReadyPod,
    );
  for (const pod of pods) {
    const target = { namespace: input.namespace, pod, container: input.container };
    // One copy can take minutes for a large model: heartbeat while it runs, not only between pods.
    await heartbeatWhile(copyToPod(ctx.kube, target, modelsOf(stage), input.modelsDir, { signal: ctx.signal }), () =>
      ctx.onProgress?.({ copyingTo: pod }),
    );
    ctx.onProgress?.({ copiedTo: pod });
  }
  return { ...result, pods };
}

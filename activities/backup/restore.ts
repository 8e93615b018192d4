// Restores from a backup only after the whole archive has been read, authenticated and checked against
// its manifest: entries are staged while reading (resources in memory, models on local disk) and acted
// on only once the reader has resolved. A bad archive therefore changes nothing in the cluster.
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ApplicationFailure } from '@temporalio/common';
import type { KubeClients } from '../kubernetes/clients.ts';
import { copyToPod } from '../kubernetes/copy.ts';
import { applyObjects, fromYaml } from '../kubernetes/resources.ts';
import { listPods } from '../kubernetes/status.ts';
import type { EntryConsumer } from '../archive/index.ts';
import { readBackup } from '../storage/backup.ts';
import { requireBackupKey, type StorageDeps } from '../storage/index.ts';
import {
  FailureType,
  type RestoreModelsInput,
  type RestoreResourcesInput,
  type RestoredObject,
} from '../../types/index.ts';

const MAX_RESOURCE_BYTES = 64 * 1024 ** 2;

export interface RestoreContext {
  kube: KubeClients;
  storage: StorageDeps;
  fieldManager: string;
  onProgress?: (progress: object) => void;
  signal?: AbortSignal;
}

/** Reads the whole backup through the safe reader, handing each entry to `onEntry`; resolves only if all checks passed. */
function readVerified(ctx: RestoreContext, key: string, onEntry: EntryConsumer) {
  return readBackup({
    s3: ctx.storage.s3,
    bucket: ctx.storage.bucket,
    key,
    keyMaterial: requireBackupKey(ctx.storage),
    signal: ctx.signal,
    onProgress: ctx.onProgress,
    onEntry,
  });
}

async function collectText(body: AsyncIterable<Uint8Array>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

async function drain(body: AsyncIterable<Uint8Array>): Promise<void> {
  for await (const _chunk of body) {
    // read and discard: the reader still hashes every byte
  }
}

export async function restoreResources(ctx: RestoreContext, input: RestoreResourcesInput) {
  const staged = { resources: [] as string[], monitoring: [] as string[] };
  let stagedBytes = 0;
  await readVerified(ctx, input.key, async (entry, body) => {
    const section = entry.place?.section;
    // Namespace objects and monitoring config are applied; the cluster section (bound volumes) is not.
    if (section === 'resources' || section === 'monitoring') {
      stagedBytes += entry.size;
      if (stagedBytes > MAX_RESOURCE_BYTES)
        throw ApplicationFailure.nonRetryable(
          `backup ${input.key}: resource YAML over ${MAX_RESOURCE_BYTES} bytes`,
          FailureType.invalidRequest,
        );
      staged[section].push(await collectText(body));
    } else {
      await drain(body);
    }
  });
  // Authenticated and complete: now, and only now, touch the cluster.
  const applied: RestoredObject[] = await applyObjects(ctx.kube, staged.resources.flatMap(fromYaml), {
    fieldManager: ctx.fieldManager,
    targetNamespace: input.targetNamespace,
  });
  if (input.includeMonitoring) {
    // The monitoring config is ConfigMaps (rules, dashboards): nothing else from that section is applied.
    const config = staged.monitoring.flatMap(fromYaml).filter((o) => o.apiVersion === 'v1' && o.kind === 'ConfigMap');
    applied.push(
      ...(await applyObjects(ctx.kube, config, {
        fieldManager: ctx.fieldManager,
        targetNamespace: input.monitoringNamespace,
      })),
    );
  }
  return { applied };
}

export async function restoreModels(ctx: RestoreContext, input: RestoreModelsInput) {
  const dir = await mkdtemp(join(tmpdir(), 'pno-restore-'));
  try {
    let files = 0;
    let bytes = 0;
    await readVerified(ctx, input.key, async (entry, body) => {
      if (entry.place?.section !== 'models') return drain(body);
      // The reader has refused absolute paths and `..` in the whole path, so this stays inside `dir`.
      const path = join(dir, entry.place.relative);
      await mkdir(dirname(path), { recursive: true });
      await pipeline(body, createWriteStream(path));
      files += 1;
      bytes += entry.size;
    });
    if (files === 0) return { pods: [], files, bytes, modelsDir: input.modelsDir };
    const pods = (await listPods(ctx.kube, input.namespace, input.selector)).filter((p) => p.ready).map((p) => p.name);
    if (pods.length === 0)
      throw ApplicationFailure.retryable(
        `no ready pod matches ${input.selector} in ${input.namespace}`,
        FailureType.noReadyPod,
      );
    for (const pod of pods) {
      await copyToPod(ctx.kube, { namespace: input.namespace, pod, container: input.container }, dir, input.modelsDir, {
        signal: ctx.signal,
      });
      ctx.onProgress?.({ copiedTo: pod });
    }
    return { pods, files, bytes, modelsDir: input.modelsDir };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

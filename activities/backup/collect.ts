// Collects what the guide backs up (namespace resources including Secrets, the bound PVs, the
// monitoring config, the models directory from a running pod, a database dump when configured) and
// streams it into one encrypted archive in S3. Secrets and archive bytes stay inside this activity.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import { ApplicationFailure } from '@temporalio/common';
import {
  CURRENT_LAYOUT,
  type ArchiveEntry,
  type EarlierBackup,
  type ObjectSection,
  type SourceEntry,
} from '../archive/index.ts';
import type { KubeClients } from '../kubernetes/clients.ts';
import { kubeCall } from '../kubernetes/errors.ts';
import { execStream } from '../kubernetes/exec.ts';
import { exportNamespace, toYaml, cleanForExport } from '../kubernetes/resources.ts';
import { heartbeatWhile } from '../kubernetes/progress.ts';
import { pickReadyPod, pickReadyPodOf } from '../kubernetes/status.ts';
import { writeBackup, type BackupProgress } from '../storage/backup.ts';
import type { StorageDeps } from '../storage/index.ts';
import {
  FailureType,
  type BackupComponent,
  type CreateBackupInput,
  type CreateBackupResult,
} from '../../types/index.ts';
import { resolveCommand, type CommandBook } from '../kubernetes/commands.ts';
import { podDirectoryEntries } from './pod-entries.ts';

export interface CollectContext {
  kube: KubeClients;
  storage: StorageDeps & { backupKey: NonNullable<StorageDeps['backupKey']> };
  workflowId: string;
  runId: string;
  objectKey: string;
  /** The worker's configured commands, one of which the input's database dump names. */
  commands: CommandBook;
  /** Upload progress, and the dump's heartbeat while it runs. */
  onProgress?: (progress: BackupProgress | { dumping: string }) => void;
  signal?: AbortSignal;
  /** The clock files' change times are judged by (ms; tests); defaults to now. */
  now?: () => number;
}

type Obj = KubernetesObject & Record<string, unknown>;

function yamlEntry(path: string, obj: Obj): ArchiveEntry {
  const bytes = Buffer.from(toYaml([obj]));
  return { path, size: bytes.length, source: bytes };
}

/** One object per file, so a restore can pick and order them. */
function resourceEntries(section: ObjectSection, objects: Obj[]): ArchiveEntry[] {
  return objects.map((o) => yamlEntry(CURRENT_LAYOUT.objectPath(section, String(o.kind), String(o.metadata?.name)), o));
}

async function boundVolumes(kube: KubeClients, claims: Obj[]): Promise<Obj[]> {
  const names = claims
    .map((c) => (c.spec as { volumeName?: string } | undefined)?.volumeName)
    .filter((n): n is string => Boolean(n));
  const volumes: Obj[] = [];
  for (const name of names) {
    const pv = await kubeCall(`read PV ${name}`, () => kube.core.readPersistentVolume({ name }));
    volumes.push(cleanForExport({ ...pv, apiVersion: 'v1', kind: 'PersistentVolume' } as Obj));
  }
  return volumes;
}

/**
 * Spools the dump to a temp file: tar needs each entry's size before its bytes. A dump can take
 * minutes, so it heartbeats while it runs. What the command prints on stderr stays in the worker.
 */
async function databaseDumpEntry(
  ctx: CollectContext,
  input: CreateBackupInput,
  servicePod: string | undefined,
  dir: string,
): Promise<ArchiveEntry> {
  const database = input.database!;
  const argv = resolveCommand(ctx.commands, database.dumpCommand, 'database.dumpCommand');
  const pod = database.deployment ? await pickReadyPodOf(ctx.kube, input.namespace, database.deployment) : servicePod!;
  const path = join(dir, 'database-dump');
  const out = createWriteStream(path);
  const dump = execStream(ctx.kube, { namespace: input.namespace, pod, container: database.container }, argv, {
    stdout: out,
    signal: ctx.signal,
  });
  const code = await heartbeatWhile(dump, () => ctx.onProgress?.({ dumping: pod }));
  await new Promise((resolve) => out.end(resolve));
  if (code !== 0)
    throw ApplicationFailure.nonRetryable(`database dump in ${pod} exited ${code}`, FailureType.invalidRequest);
  return { path: CURRENT_LAYOUT.databaseDump, size: (await stat(path)).size, source: createReadStream(path) };
}

export async function collectBackup(ctx: CollectContext, input: CreateBackupInput): Promise<CreateBackupResult> {
  const { kube } = ctx;
  // A dump naming no configured command fails before anything is read or uploaded.
  if (input.database) resolveCommand(ctx.commands, input.database.dumpCommand, 'database.dumpCommand');
  const spool = await mkdtemp(join(tmpdir(), 'pno-backup-'));
  const notes: string[] = [];
  try {
    // Everything small is read before the upload starts, so a failing read never leaves a half upload.
    const namespaced = input.components.includes('resources') ? await exportNamespace(kube, input.namespace) : [];
    const volumes = input.components.includes('resources')
      ? await boundVolumes(
          kube,
          namespaced.filter((o) => o.kind === 'PersistentVolumeClaim'),
        )
      : [];
    const monitoring = input.components.includes('monitoring')
      ? await exportNamespace(kube, input.monitoringNamespace, [{ apiVersion: 'v1', kind: 'ConfigMap' }])
      : [];
    const pod =
      input.components.includes('models') || (input.database && !input.database.deployment)
        ? await pickReadyPod(kube, input.namespace, input.selector)
        : undefined;
    const components: BackupComponent[] = [...input.components, ...(input.database ? (['database'] as const) : [])];
    if (!input.database) notes.push('no database configured');

    const entries = async function* (earlier: EarlierBackup): AsyncGenerator<SourceEntry> {
      if (input.components.includes('resources')) {
        yield* resourceEntries('resources', namespaced);
        yield* resourceEntries('cluster', volumes);
      }
      if (input.components.includes('monitoring')) {
        yield* resourceEntries('monitoring', monitoring);
      }
      if (input.components.includes('models') && pod) {
        yield* podDirectoryEntries(
          kube,
          { namespace: input.namespace, pod, container: input.container },
          input.modelsDir,
          CURRENT_LAYOUT.modelPath,
          {
            signal: ctx.signal,
            earlier,
            now: ctx.now,
            onUnlisted: () =>
              notes.push(`${pod} could not list ${input.modelsDir} (find, stat): every model file read`),
          },
        );
      }
      if (input.database) yield await databaseDumpEntry(ctx, input, pod, spool);
    };

    const written = await writeBackup({
      s3: ctx.storage.s3,
      bucket: ctx.storage.bucket,
      key: ctx.objectKey,
      entries,
      keyMaterial: ctx.storage.backupKey,
      manifest: {
        namespace: input.namespace,
        components,
        workflowId: ctx.workflowId,
        runId: ctx.runId,
        createdAt: input.createdAt,
      },
      onProgress: ctx.onProgress,
      signal: ctx.signal,
    });
    // A first backup has nothing to compare with; an earlier one that could not be used is worth a word.
    if (input.components.includes('models') && written.comparedWith.key && written.comparedWith.unusable)
      notes.push(`every model file read: ${written.comparedWith.key}: ${written.comparedWith.unusable}`);
    return {
      bucket: written.bucket,
      key: written.key,
      keyId: written.keyId,
      objectBytes: written.objectBytes,
      entries: written.manifest.entries.length,
      plaintextBytes: written.manifest.totalBytes,
      piecesStored: written.pieces.stored,
      pieceBytesStored: written.pieces.storedBytes,
      piecesReused: written.pieces.reused,
      filesUnchanged: written.unchanged.files,
      bytesUnchanged: written.unchanged.bytes,
      ...(written.comparedWith.key && !written.comparedWith.unusable ? { comparedWith: written.comparedWith.key } : {}),
      components,
      resources: namespaced.map((o) => `${o.kind}/${o.metadata?.name}`),
      ...(pod ? { pod } : {}),
      modelsDir: input.modelsDir,
      notes,
    };
  } finally {
    await rm(spool, { recursive: true, force: true });
  }
}

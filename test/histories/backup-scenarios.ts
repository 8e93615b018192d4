// Recorded runs of the backup, disaster-recovery and drill workflows. The activities are stubs at the
// boundary returning what the real ones return (they are tested on the real servers elsewhere); the
// point here is the workflows' commands, replayed against every later version of the code.
import { createHttpActivities } from '../../activities/http/index.ts';
import { createModelActivities } from '../../activities/model/index.ts';
import type { Activities } from '../../activities/index.ts';
import type { ModelSource } from '../../types/index.ts';
import { goodModel, validationSet } from '../model/fixtures.ts';
import type { Scenario, ScenarioContext } from './scenarios.ts';
import { resumeAfterReset } from './resume.ts';

const key = 'pno/backups/backup-history.tar.gz.enc';
const pods = [
  { name: 'pno-a', phase: 'Running', ready: true, restarts: 0 },
  { name: 'pno-b', phase: 'Running', ready: true, restarts: 0 },
];
const manifest = {
  format: 'pno-backup' as const,
  manifestVersion: 1,
  createdAt: '2026-01-01T00:00:00.000Z',
  namespace: 'production',
  components: ['resources'],
  productVersion: '0.1.0',
  workflowId: 'w',
  runId: 'r',
  totalBytes: 10,
  entryCount: 3,
};
const restored = [{ kind: 'Deployment', namespace: 'production', name: 'pno-physics-bench' }];

/** Stubs for the backup and restore activities (and the children they start). */
export function backupActivityStubs({ apiUrl }: ScenarioContext): Partial<Activities> {
  // Model checks read the fixture file wherever the workflow says the model is.
  const model = createModelActivities({ defaultModelPath: goodModel, defaultValidationSetPath: validationSet });
  const asFile = (source: ModelSource): ModelSource => ({
    kind: 'file',
    path: source.kind === 'file' ? source.path : goodModel,
  });
  return {
    ...createHttpActivities({ defaultApiBaseUrl: apiUrl }),
    checkModelIntegrity: (input) => model.checkModelIntegrity({ ...input, source: asFile(input.source) }),
    runModelInference: (input) => model.runModelInference({ ...input, source: asFile(input.source) }),
    createBackup: async () => ({
      bucket: 'b',
      key,
      keyId: 'k',
      objectBytes: 100,
      entries: 3,
      plaintextBytes: 10,
      piecesStored: 0,
      pieceBytesStored: 0,
      piecesReused: 0,
      components: ['resources'],
      resources: [],
      modelsDir: '/app/models',
      notes: ['no database configured'],
    }),
    verifyBackup: async () => ({
      bucket: 'b',
      key,
      keyId: 'k',
      objectBytes: 100,
      pieces: 0,
      pieceBytes: 0,
      entries: 3,
      bytes: 10,
      manifest,
    }),
    stageBackup: async () => ({
      ...{ bucket: 'b', key, keyId: 'k', objectBytes: 100, pieces: 0, pieceBytes: 0, entries: 3, bytes: 10, manifest },
      etag: '"e"',
      stagedBytes: 10,
      downloadedBytes: 100,
      reused: false,
    }),
    discardStage: async () => ({ removed: true }),
    restoredBy: async () => ({}),
    probeService: async ({ namespace, service, path }) => ({
      url: `service ${namespace}/${service}${path}`,
      statusCode: 200,
      latencyMs: 1,
    }),
    applyRetention: async () => ({
      prefix: 'pno/backups',
      dryRun: false,
      cutoff: '2025-12-01T00:00:00.000Z',
      deleted: [],
      deletedCount: 0,
      deletedBytes: 0,
      kept: 1,
      abortedUploads: 0,
      pieces: { deleted: 0, deletedBytes: 0, kept: 0 },
    }),
    findLatestBackup: async () => ({ key, lastModified: '2026-01-01T00:00:00.000Z', size: 100 }),
    listPods: async () => pods,
    getHpa: async () => ({
      name: 'pno-hpa',
      minReplicas: 2,
      maxReplicas: 10,
      currentReplicas: 2,
      desiredReplicas: 2,
      scalingActive: true,
    }),
    reviewAccess: async ({ checks }) => checks.map((check) => ({ check, what: check.verb, allowed: true })),
    ensureNamespace: async ({ name }) => ({ name, created: false }),
    restoreResources: async () => ({ applied: restored, downloadedBytes: 0 }),
    waitForPodsReady: async () => ({ done: true, timedOut: false, ready: 2, total: 2, pods: [] }),
    restoreModels: async () => ({ pods: ['pno-a', 'pno-b'], files: 1, modelsDir: '/app/models', downloadedBytes: 0 }),
    rolloutRestart: async () => undefined,
    waitForRollout: async () => ({
      done: true,
      failed: false,
      timedOut: false,
      message: 'successfully rolled out',
      revision: '2',
      images: {},
    }),
    deleteRestored: async () => ({ deleted: ['Deployment/pno-physics-bench'] }),
  };
}

/**
 * A recovery whose rollout is stuck the first time (the cluster refuses the new pods), then not: the
 * restored Deployment carries the recovery's stamp, so after a reset what is serving is its own.
 */
function stuckOnceStubs(ctx: ScenarioContext): Partial<Activities> {
  let stamp: string | undefined;
  let rollouts = 0;
  const stubs = backupActivityStubs(ctx);
  return {
    ...stubs,
    restoreResources: async (input) => {
      stamp = input.recovery;
      return { applied: restored, downloadedBytes: 0 };
    },
    restoredBy: async () => (stamp ? { recovery: stamp } : {}),
    waitForRollout: async (input) => {
      const done = await stubs.waitForRollout!(input);
      rollouts += 1;
      return rollouts === 1 ? { ...done, done: false, timedOut: true, message: 'exceeded quota: pods=2' } : done;
    },
  };
}

/** A restore that fails once as an unreachable API server would (a plain, retryable error), then works. */
function outageOnceStubs(ctx: ScenarioContext): Partial<Activities> {
  let calls = 0;
  return {
    ...backupActivityStubs(ctx),
    restoreResources: async () => {
      calls += 1;
      if (calls === 1) throw new Error('apply ConfigMap production/pno-config: connect ECONNREFUSED 127.0.0.1:6443');
      return { applied: restored, downloadedBytes: 0 };
    },
  };
}

export const backupScenarios: Scenario[] = [
  { name: 'backup', workflowType: 'backupWorkflow', input: {}, activities: backupActivityStubs },
  {
    name: 'disaster-recovery-forced',
    workflowType: 'disasterRecoveryWorkflow',
    input: { force: true },
    activities: backupActivityStubs,
  },
  { name: 'restore-drill', workflowType: 'restoreDrillWorkflow', input: {}, activities: backupActivityStubs },
  {
    name: 'disaster-recovery-reset-after-failure',
    workflowType: 'disasterRecoveryWorkflow',
    input: { readyTimeoutMinutes: 1 },
    activities: stuckOnceStubs,
    drive: resumeAfterReset,
  },
  {
    name: 'disaster-recovery-retried-through-outage',
    workflowType: 'disasterRecoveryWorkflow',
    input: { force: true },
    activities: outageOnceStubs,
  },
];

import { ActivityFailure, ApplicationFailure, executeChild, patched, workflowInfo } from '@temporalio/workflow';
import {
  CREATED_NAMESPACE_LABELS,
  FailureType,
  WORKER_ROLES,
  type HealthReport,
  type ModelHealthReport,
  type RestoredObject,
  type VerifyBackupResult,
} from '../../types/index.ts';
import {
  checkRecoveryAccess,
  monitoringAccess,
  restoreAccess,
  whileAllowed,
  type AccessTarget,
} from './recovery-access.ts';
import { disasterRecoveryInputSchema, type DisasterRecoveryInput } from './input.ts';
import { healthCheckWorkflow } from '../monitoring/health-check.ts';
import { parseInput } from '../shared/input.ts';
import { modelHealthWorkflow } from '../model/health.ts';
import { beginRun } from '../shared/progress.ts';
import { approvalGate } from '../shared/approval.ts';
import { alerts, archives, recoverySteps, waits } from '../shared/activities.ts';

export interface RecoveryReport {
  backupKey: string;
  targetNamespace: string;
  steps: { step: string; detail: string }[];
  restored: RestoredObject[];
  health?: HealthReport['status'];
  model?: ModelHealthReport['status'];
  /** Start to verified service, in ms: the recovery time actually achieved. */
  rtoMs: number;
  /** Bytes this run fetched from the store: one object's size, or 0 when its stage was reused. */
  downloadedBytes?: number;
}

/** How long a role the worker has just bound to itself may take to show in what it may do. */
const GRANT_WAIT_MS = 30_000;

/**
 * Restores a backup: check that the worker may do every step (or grant itself the rights, in a
 * namespace that was deleted), authenticate and verify the backup before anything touches the
 * cluster, ask for approval when the target is serving, then namespace → resources (in dependency order) → pods Ready → models →
 * restart → rollout → verification. Every step converges when run again, so a failed recovery is
 * retried by starting it again (or resetting it) with the same input.
 */
export async function disasterRecoveryWorkflow(rawInput: DisasterRecoveryInput = {}): Promise<RecoveryReport> {
  const input = parseInput(disasterRecoveryInputSchema, 'disasterRecoveryWorkflow', rawInput);
  // Runs recorded before the access check replay without it.
  const checksAccess = patched('recovery-checks-access');
  // ... and without the stage that reads the archive once for every step.
  const readsOnce = patched('recovery-reads-once');
  // ... and without an approval that holds through a reset (what is serving is this recovery's own).
  const approvalHolds = patched('recovery-approval-holds');
  const info = workflowInfo();
  const recovery = `${info.workflowId}/${info.originalExecutionRunId}`;
  const stepCount = (checksAccess ? 9 : 8) + (input.database ? 1 : 0);
  const progress = beginRun('disaster-recovery', input.targetNamespace, stepCount, 'verifying backup');
  const approval = approvalGate();
  const readyTimeoutMs = input.readyTimeoutMinutes * 60_000;
  const started = Date.now();
  const report: RecoveryReport = {
    backupKey: input.backupKey,
    targetNamespace: input.targetNamespace,
    steps: [],
    restored: [],
    rtoMs: 0,
  };
  const done = (step: string, detail: string) => {
    report.steps.push({ step, detail });
    progress.stepDone();
  };
  const fail = (message: string): never => {
    throw ApplicationFailure.nonRetryable(message, FailureType.recoveryFailed, report);
  };
  let toGrant: AccessTarget[] = [];
  // Known once the access check ran: the rights every later step relies on.
  let restoreTarget: AccessTarget | undefined;
  /** The namespaces exist and the worker has its rights there, granted to itself where it had none. */
  const ensureTarget = async () => {
    const labels = checksAccess ? { labels: { ...CREATED_NAMESPACE_LABELS } } : {};
    const namespace = await recoverySteps.ensureNamespace({ name: input.targetNamespace, ...labels });
    const granted: string[] = [];
    for (const target of toGrant) {
      if (target.namespace !== input.targetNamespace)
        await recoverySteps.ensureNamespace({ name: target.namespace, ...labels });
      await recoverySteps.bindOwnRole({ namespace: target.namespace, role: target.role });
      const access = await waits(GRANT_WAIT_MS).awaitAccess({ checks: target.checks, timeoutMs: GRANT_WAIT_MS });
      if (!access.allowed)
        fail(
          `bound ${WORKER_ROLES[target.role]} in ${target.namespace}, yet the worker may not ${access.denied.join('; ')}`,
        );
      granted.push(`${WORKER_ROLES[target.role]} bound in ${target.namespace}`);
    }
    done('namespace', [namespace.created ? 'created' : 'exists', ...granted].join('; '));
  };

  if (checksAccess) {
    progress.phase('checking access');
    restoreTarget = restoreAccess(input.targetNamespace, input.verify && input.apiService !== '');
    const targets = [restoreTarget];
    if (input.includeMonitoring) targets.push(monitoringAccess(input.monitoringNamespace));
    toGrant = await checkRecoveryAccess(targets);
    const held = targets.filter((t) => !toGrant.includes(t)).map((t) => `${t.namespace}: rights held`);
    const granting = toGrant.map((t) => `${t.namespace}: will bind ${WORKER_ROLES[t.role]}`);
    done('access', [...held, ...granting].join('; '));
    progress.phase('verifying backup');
  }

  if (input.backupKey === 'latest') {
    const latest = await recoverySteps.findLatestBackup({ prefix: input.prefix });
    if (!latest) fail(`no backup under ${input.prefix}`);
    report.backupKey = latest!.key;
  }
  // A tampered, truncated or hostile archive fails here, before the cluster is touched.
  const verified: VerifyBackupResult & { etag?: string; downloadedBytes?: number } = readsOnce
    ? await archives.stageBackup({ key: report.backupKey })
    : await archives.verifyBackup({ key: report.backupKey });
  // A backup restores only where it was meant to: one of staging lands in production only when asked.
  const source = input.sourceNamespace || input.targetNamespace;
  if (patched('recovery-binds-source') && verified.manifest.namespace !== source)
    fail(
      `backup ${report.backupKey} is of namespace ${verified.manifest.namespace}, not ${source}: ` +
        'set sourceNamespace to restore it into another',
    );
  if (input.database && !verified.manifest.components.includes('database'))
    fail(
      `backup ${report.backupKey} holds no database dump to restore (its components: ${verified.manifest.components.join(', ')})`,
    );
  // Every later read is of this very object: a backup replaced meanwhile fails the recovery.
  const pinned = verified.etag ? { etag: verified.etag } : {};
  let downloadedBytes = verified.downloadedBytes ?? verified.objectBytes;
  done('verify', `${verified.entries} entries, ${verified.bytes} bytes, sealed with key ${verified.keyId}`);

  // The worker's rights come first: it cannot see whether a namespace whose binding it lost is serving.
  if (checksAccess) await ensureTarget();
  progress.phase('checking target');
  const serving = (await recoverySteps.listPods({ namespace: input.targetNamespace, selector: input.selector })).filter(
    (p) => p.ready,
  );
  const ours =
    approvalHolds &&
    serving.length > 0 &&
    (await recoverySteps.restoredBy({ namespace: input.targetNamespace, name: input.deployment })).recovery ===
      recovery;
  if (ours) {
    // Reset or resumed after its restore: the pods serving are the ones it restored, approved then.
    done('approval', `held: ${input.targetNamespace} serves what this recovery restored`);
  } else if (serving.length > 0 && !input.force) {
    progress.phase('awaiting approval', `${serving.length} ready pods in ${input.targetNamespace}`);
    const decision = await approval.await(input.approvalTimeoutMinutes * 60_000, {
      change: `restore ${report.backupKey} over ${serving.length} ready pods in ${input.targetNamespace}`,
      alert: (alert) => alerts.sendAlert({ service: input.deployment, ...alert }),
    });
    if (!decision)
      fail(`no approval within ${input.approvalTimeoutMinutes} minutes to restore over ${serving.length} ready pods`);
    if (!decision!.approve)
      fail(`restore refused by ${decision!.by}${decision!.reason ? `: ${decision!.reason}` : ''}`);
    done('approval', `approved by ${decision!.by}`);
  } else {
    done('approval', serving.length > 0 ? 'forced' : 'target not serving: no approval needed');
  }

  progress.phase('restoring resources');
  if (!checksAccess) await ensureTarget();
  const resources = await whileAllowed(restoreTarget, () =>
    archives.restoreResources({
      key: report.backupKey,
      targetNamespace: input.targetNamespace,
      includeMonitoring: input.includeMonitoring,
      ...(checksAccess ? { monitoringNamespace: input.monitoringNamespace } : {}),
      ...pinned,
      ...(approvalHolds ? { recovery } : {}),
    }),
  );
  downloadedBytes += resources.downloadedBytes ?? 0;
  report.restored = resources.applied;
  done('resources', `${resources.applied.length} objects applied`);

  progress.phase('waiting for pods');
  const ready = await whileAllowed(restoreTarget, () =>
    waits(readyTimeoutMs).waitForPodsReady({
      namespace: input.targetNamespace,
      selector: input.selector,
      minReady: 1,
      timeoutMs: readyTimeoutMs,
    }),
  );
  if (!ready.done) fail(`pods not Ready within ${input.readyTimeoutMinutes} minutes (${ready.ready}/${ready.total})`);
  done('pods', `${ready.ready} ready`);

  progress.phase('restoring models');
  const models = await whileAllowed(restoreTarget, () =>
    archives.restoreModels({
      key: report.backupKey,
      namespace: input.targetNamespace,
      selector: input.selector,
      container: input.container,
      modelsDir: input.modelsDir,
      ...pinned,
    }),
  );
  downloadedBytes += models.downloadedBytes ?? 0;
  done('models', `${models.files} files to ${models.pods.length} pods`);

  if (input.database) {
    progress.phase('restoring database');
    const database = input.database;
    const rollout = await whileAllowed(restoreTarget, () =>
      waits(readyTimeoutMs).waitForRollout({
        namespace: input.targetNamespace,
        name: database.deployment,
        timeoutMs: readyTimeoutMs,
      }),
    );
    if (!rollout.done || rollout.failed) fail(`database ${database.deployment} not ready: ${rollout.message}`);
    const loaded = await whileAllowed(restoreTarget, () =>
      archives.restoreDatabase({
        ...database,
        key: report.backupKey,
        namespace: input.targetNamespace,
        recovery,
        ...pinned,
      }),
    ).catch((err: unknown) => {
      // A load that failed (the command's exit code) ends the recovery like any other step, with its report.
      if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure) fail(err.cause.message);
      throw err;
    });
    downloadedBytes += loaded.downloadedBytes;
    done(
      'database',
      loaded.alreadyLoaded
        ? `dump already loaded by this recovery into ${database.deployment}`
        : `${loaded.loadedBytes} bytes of dump loaded in ${loaded.pod}`,
    );
  } else if (verified.manifest.components.includes('database')) {
    // Not a step of this run (the progress count has none): a note that the dump was left alone.
    report.steps.push({ step: 'database', detail: 'the backup holds a dump; not loaded (no database in the input)' });
  }

  progress.phase('restarting');
  // The stamp is this run's start, so a retried restart does not restart again.
  await whileAllowed(restoreTarget, () =>
    recoverySteps.rolloutRestart({
      namespace: input.targetNamespace,
      name: input.deployment,
      restartedAt: new Date(workflowInfo().runStartTime).toISOString(),
    }),
  );
  const rollout = await whileAllowed(restoreTarget, () =>
    waits(readyTimeoutMs).waitForRollout({
      namespace: input.targetNamespace,
      name: input.deployment,
      timeoutMs: readyTimeoutMs,
    }),
  );
  if (!rollout.done || rollout.failed) fail(`rollout did not complete: ${rollout.message}`);
  done('rollout', rollout.message);

  if (input.verify) {
    progress.phase('verifying service');
    const id = workflowInfo().workflowId;
    const health = await executeChild(healthCheckWorkflow, {
      workflowId: `${id}-health`,
      args: [
        {
          namespace: input.targetNamespace,
          selector: input.selector,
          apiBaseUrl: input.apiBaseUrl,
          ...(input.apiService ? { apiService: input.apiService } : {}),
        },
      ],
    });
    const model = await executeChild(modelHealthWorkflow, {
      workflowId: `${id}-model`,
      args: [
        {
          source: {
            kind: 'pod',
            namespace: input.targetNamespace,
            selector: input.selector,
            container: input.container,
            path: `${models.modelsDir}/${input.modelFile}`,
          },
          // A failing model fails the recovery, which says so; no alert of its own.
          alert: false,
        },
      ],
    });
    report.health = health.status;
    report.model = model.status;
    // Pods must serve; a degraded HPA (e.g. no metrics yet after a restore) does not fail the recovery.
    if (health.checks.pods.status === 'ERROR' || health.checks.api.status === 'ERROR')
      fail(`service unhealthy after restore: ${health.checks.pods.message}; ${health.checks.api.message}`);
    if (model.status !== 'PASS')
      fail(`model check failed after restore: ${JSON.stringify(model.checks)}`.slice(0, 2000));
    done('verification', `health ${health.status}, model ${model.status}`);
  }
  if (readsOnce) await archives.discardStage();
  progress.phase('done');
  report.rtoMs = Date.now() - started;
  if (readsOnce) report.downloadedBytes = downloadedBytes;
  return report;
}

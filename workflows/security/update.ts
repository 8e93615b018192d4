import {
  ActivityFailure,
  CancellationScope,
  ChildWorkflowFailure,
  executeChild,
  isCancellation,
  patched,
  workflowInfo,
} from '@temporalio/workflow';
import type { SecurityReport, SendAlertInput, VulnerabilityFinding } from '../../types/index.ts';
import { dockerfileFor, generateDockerfileUpdates } from './dockerfile-updates.ts';
import { modelHealthWorkflow } from '../model/health.ts';
import { beginRun } from '../shared/progress.ts';
import { approvalGate, type ApprovalDecision } from '../shared/approval.ts';
import {
  buildSecurityReport,
  criticalFindings,
  judgeCandidate,
  pinToScannedDigest,
  registryRefusal,
} from './policy.ts';
import { securityUpdateInputSchema, type ParsedSecurityUpdateInput, type SecurityUpdateInput } from './input.ts';
import { parseInput } from '../shared/input.ts';
import { alerts, clusterChanges, reads, records, scans, waits } from '../shared/activities.ts';

export { securityUpdateDefaults, type SecurityUpdateInput } from './input.ts';
export { approveSignal, approveUpdate, type ApprovalAnswer, type ApprovalDecision } from '../shared/approval.ts';

export type SecurityUpdateOutcome =
  | 'UP_TO_DATE' // no critical finding in the running image
  | 'NEEDS_UPDATE' // criticals, and no candidate to offer (reported and alerted)
  | 'NO_FIX_AVAILABLE' // build-job: no Dockerfile line could fix the criticals
  | 'BUILD_FAILED'
  | 'CANDIDATE_REFUSED' // the candidate keeps or adds criticals: nothing changed
  | 'NOT_APPROVED' // rejected, or no decision before the deadline: nothing changed
  | 'UPDATED'
  | 'ROLLED_BACK'; // the candidate failed after the change and the old image is back

export interface SecurityUpdateResult {
  outcome: SecurityUpdateOutcome;
  image: string;
  candidateImage?: string;
  /** What the rollout set: the candidate by the digest its scan reported (a tag only when it reported none). */
  deployedImage?: string;
  report: SecurityReport;
  reportKey: string;
  reasons: string[];
  approval?: ApprovalDecision;
}

/**
 * The guide's SecurityUpdater, durably: scan the running image, report, and when criticals exist
 * offer a candidate (given, or built by a Job), rescan it, optionally wait for approval, roll it out
 * and verify health and the model. Any failure after the image change rolls back (rollout undo,
 * guarded by the candidate image) and alerts: a saga whose compensation also runs on cancellation.
 */
export async function securityUpdateWorkflow(rawInput: SecurityUpdateInput = {}): Promise<SecurityUpdateResult> {
  const input = parseInput(securityUpdateInputSchema, 'securityUpdateWorkflow', rawInput);
  const progress = beginRun('security-update', input.namespace, 6, 'reading the deployment');
  const approval = approvalGate();
  const target = { namespace: input.namespace, name: input.deployment };
  const where = `${input.namespace}/${input.deployment}`;
  const alert = (a: Omit<SendAlertInput, 'service'>) => alerts.sendAlert({ service: input.deployment, ...a });
  const vulnKey = `security-vulnerability:${where}`;
  // The configuration decides approval and registries; an input may only ask for approval on top.
  // Runs recorded before it knew neither: there the input alone decided.
  const policy = patched('security-policy-from-config') ? await reads.securityPolicy() : undefined;
  const requireApproval = (policy?.requireApproval ?? false) || input.requireApproval;

  const state = await reads.getRolloutState(target);
  const image = state.images[input.container];
  if (image === undefined) throw new Error(`deployment ${where} has no container ${input.container}`);
  progress.stepDone();

  progress.phase('scanning', image);
  const scan = await scans(input.scanTimeoutMs)
    .scanImage({ image, timeoutMs: input.scanTimeoutMs })
    .catch(async (err: unknown) => {
      // The guide's "Vulnerability scan failed": no result is not a clean result, so say so and fail.
      if (err instanceof ActivityFailure) {
        await alert({
          type: 'security_scan_failed',
          severity: 'warning',
          summary: `could not scan ${image} (${where}): ${describe(err)}`,
          dedupKey: `security-scan-failed:${where}`,
        });
      }
      throw err;
    });
  const report = buildSecurityReport({
    timestamp: new Date().toISOString(),
    scanTarget: `${input.deployment} in ${input.namespace}`,
    image,
    findings: scan.findings,
  });
  const { key: reportKey } = await records.putReport({ kind: 'security', report });
  progress.stepDone();
  const done = (
    outcome: SecurityUpdateOutcome,
    reasons: string[] = [],
    extra: Partial<SecurityUpdateResult> = {},
  ): SecurityUpdateResult => {
    progress.phase('done', outcome);
    return { outcome, image, report, reportKey, reasons, ...extra };
  };

  const criticals = criticalFindings(scan.findings);
  if (criticals.length === 0) {
    await alert({
      type: 'security_vulnerability',
      severity: 'info',
      summary: `no critical vulnerabilities in ${image}`,
      dedupKey: vulnKey,
      resolved: true,
    });
    return done('UP_TO_DATE');
  }
  await alert({
    type: 'security_vulnerability',
    severity: 'critical',
    summary: `${criticals.length} critical vulnerabilities with fixes in ${image} (${where})`,
    details: {
      reportKey,
      severityBreakdown: report.severityBreakdown,
      critical: criticals.slice(0, 20).map((f) => `${f.id} ${f.package}`),
    },
    dedupKey: vulnKey,
  });

  progress.phase('preparing a candidate');
  const candidate = await candidateImage(input, image, criticals, alert, policy?.registries);
  if ('outcome' in candidate) return done(candidate.outcome, candidate.reasons);
  progress.stepDone();

  progress.phase('scanning the candidate', candidate.image);
  const candidateScan = await scans(input.scanTimeoutMs).scanImage({
    image: candidate.image,
    timeoutMs: input.scanTimeoutMs,
  });
  const verdict = judgeCandidate(scan.findings, candidateScan.findings);
  progress.stepDone();
  if (!verdict.accept) {
    await alert({
      type: 'security_update_refused',
      severity: 'warning',
      summary: `candidate ${candidate.image} refused for ${where}: ${verdict.reasons.slice(0, 3).join('; ')}`,
      details: { reportKey, reasons: verdict.reasons },
      dedupKey: `security-update-refused:${where}:${candidate.image}`,
    });
    return done('CANDIDATE_REFUSED', verdict.reasons, { candidateImage: candidate.image });
  }
  // The image rolled out is the one scanned, whatever the tag points at by the time approval comes.
  // Runs recorded before pinning rolled out the tag.
  const pinned = patched('deploy-scanned-digest')
    ? pinToScannedDigest(candidate.image, candidateScan.repoDigests)
    : { image: candidate.image };
  const pinning = pinned.unpinned ? [pinned.unpinned] : [];

  let decision: ApprovalDecision | undefined;
  if (requireApproval) {
    progress.phase('awaiting approval', `roll out ${pinned.image} to ${where} (replacing ${image})`);
    decision = await approval.await(input.approvalTimeoutMs, {
      change: `roll out ${pinned.image} to ${where} (replacing ${image})`,
      alert,
    });
    if (!decision?.approve) {
      const why = decision
        ? `rejected by ${decision.by}${decision.reason ? `: ${decision.reason}` : ''}`
        : `no decision within ${input.approvalTimeoutMs} ms`;
      return done('NOT_APPROVED', [why], {
        candidateImage: candidate.image,
        ...(decision ? { approval: decision } : {}),
      });
    }
  }

  progress.phase('rolling out', pinned.image);
  const failures = await rolloutWithRollback(input, image, pinned.image, alert);
  progress.stepDone();
  const extra = {
    candidateImage: candidate.image,
    deployedImage: pinned.image,
    ...(decision ? { approval: decision } : {}),
  };
  if (failures.length > 0) return done('ROLLED_BACK', [...failures, ...pinning], extra);
  await alert({
    type: 'security_vulnerability',
    severity: 'info',
    summary: `${where} updated to ${pinned.image}`,
    details: { removed: verdict.removed },
    dedupKey: vulnKey,
    resolved: true,
  });
  progress.stepDone();
  return done('UPDATED', [...verdict.removed.map((r) => `removed ${r}`), ...pinning], extra);
}

type Alerter = (a: Omit<SendAlertInput, 'service'>) => Promise<unknown>;
type CandidateStep = { image: string } | { outcome: SecurityUpdateOutcome; reasons: string[] };

/** The pluggable image step: the pipeline's candidate, or a build Job from the guide's Dockerfile lines. */
async function candidateImage(
  input: ParsedSecurityUpdateInput,
  image: string,
  criticals: VulnerabilityFinding[],
  alert: Alerter,
  registries: string[] | undefined,
): Promise<CandidateStep> {
  /** A candidate from a registry the configuration does not allow is refused before it is built or scanned. */
  const refused = async (reference: string): Promise<CandidateStep | undefined> => {
    const why = registries && registryRefusal(reference, image, registries);
    if (!why) return undefined;
    await alert({
      type: 'security_update_refused',
      severity: 'warning',
      summary: `candidate refused for ${input.namespace}/${input.deployment}: ${why}`,
      dedupKey: `security-update-refused:${input.namespace}/${input.deployment}:${reference}`,
    });
    return { outcome: 'CANDIDATE_REFUSED', reasons: [why] };
  };
  if (input.imageStep === 'candidate') {
    if (input.candidateImage === '')
      return { outcome: 'NEEDS_UPDATE', reasons: ['no candidateImage given: reported and alerted only'] };
    return (await refused(input.candidateImage)) ?? { image: input.candidateImage };
  }
  const refusedRepository = input.buildRepository ? await refused(input.buildRepository) : undefined;
  if (refusedRepository) return refusedRepository;
  const updates = generateDockerfileUpdates(criticals);
  if (updates.lines.length === 0) {
    return { outcome: 'NO_FIX_AVAILABLE', reasons: updates.skipped.map((s) => `${s.id} ${s.package}: ${s.why}`) };
  }
  const name = buildName(workflowInfo().workflowId);
  const destination = `${input.buildRepository}:${name}`;
  const namespace = input.namespace;
  await clusterChanges.startImageBuild({
    namespace,
    name,
    builderImage: input.builderImage,
    dockerfile: dockerfileFor(image, updates.lines),
    destination,
    ...(input.buildPushSecret ? { pushSecret: input.buildPushSecret } : {}),
  });
  const built = await waits(input.buildTimeoutMs).waitForImageBuild({
    namespace,
    name,
    destination,
    timeoutMs: input.buildTimeoutMs,
  });
  if (!built.succeeded) {
    const why = built.timedOut
      ? `build Job ${namespace}/${name} did not finish in ${input.buildTimeoutMs} ms`
      : built.message;
    await alert({
      type: 'security_update_build_failed',
      severity: 'warning',
      summary: `image build for ${input.deployment} failed: ${why}`,
      dedupKey: `security-build:${namespace}/${name}`,
    });
    return { outcome: 'BUILD_FAILED', reasons: [why] };
  }
  return { image: built.image };
}

/** A Job and ConfigMap name from the workflow id: lowercase, at most 63, unique per run id. */
export function buildName(workflowId: string): string {
  const slug = workflowId
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  let hash = 0;
  for (const c of workflowId) hash = (hash * 31 + c.charCodeAt(0)) >>> 0;
  return `security-update-${slug.slice(0, 30).replace(/-+$/, '')}-${hash.toString(16)}`.replace(/--+/g, '-');
}

/**
 * Sets the image, waits for the rollout and verifies; returns why it failed (empty on success). A
 * failure, or a cancellation, after the change triggers the compensation: rollout undo guarded by
 * the candidate image (so a retried undo never flips back), a wait for the old pods, and an alert.
 */
async function rolloutWithRollback(
  input: ParsedSecurityUpdateInput,
  oldImage: string,
  newImage: string,
  alert: Alerter,
): Promise<string[]> {
  let failures: string[];
  try {
    await clusterChanges.setImage({
      namespace: input.namespace,
      name: input.deployment,
      container: input.container,
      image: newImage,
    });
    failures = await verifyRollout(input, newImage);
  } catch (err) {
    // An activity that gave up is a failed verification: roll back and report it.
    if (err instanceof ActivityFailure && !isCancellation(err)) {
      failures = [describe(err)];
    } else {
      // Cancelled (or a bug): production may run the candidate whatever happens next, so undo first.
      await CancellationScope.nonCancellable(() => rollBack(input, oldImage, newImage, [describe(err)], alert));
      throw err;
    }
  }
  if (failures.length > 0) await rollBack(input, oldImage, newImage, failures, alert);
  return failures;
}

async function verifyRollout(input: ParsedSecurityUpdateInput, newImage: string): Promise<string[]> {
  const target = { namespace: input.namespace, name: input.deployment };
  const rollout = await waits(input.rolloutTimeoutMs).waitForRollout({ ...target, timeoutMs: input.rolloutTimeoutMs });
  if (!rollout.done || rollout.failed) {
    return [
      `rollout of ${newImage} did not complete${rollout.timedOut ? ` within ${input.rolloutTimeoutMs} ms` : ''}: ${rollout.message}`,
    ];
  }
  const failures: string[] = [];
  if (input.verifyApi) {
    for (const path of ['/health', '/ready']) {
      const probe = await reads.probeEndpoint({ baseUrl: input.apiBaseUrl, path, timeoutMs: 10_000 });
      if (probe.statusCode === undefined || probe.statusCode < 200 || probe.statusCode > 299) {
        failures.push(`${probe.url}: ${probe.error ?? `HTTP ${probe.statusCode}`}`);
      }
    }
  }
  if (input.modelCheck !== null) {
    try {
      const model = await executeChild(modelHealthWorkflow, {
        // A failing model rolls the update back, which alerts: no alert of its own.
        args: [{ ...input.modelCheck, alert: false }],
        workflowId: `${workflowInfo().workflowId}/model-check`,
      });
      if (model.status !== 'PASS') {
        failures.push(...Object.values(model.checks).flatMap((c) => c.reasons.map((r) => `model ${c.name}: ${r}`)));
      }
    } catch (err) {
      if (!(err instanceof ChildWorkflowFailure)) throw err;
      failures.push(`model check failed: ${describe(err)}`);
    }
  }
  return failures;
}

async function rollBack(
  input: ParsedSecurityUpdateInput,
  oldImage: string,
  newImage: string,
  reasons: string[],
  alert: Alerter,
) {
  const target = { namespace: input.namespace, name: input.deployment };
  const where = `${input.namespace}/${input.deployment}`;
  let restored = false;
  let rollbackError: string | undefined;
  try {
    await clusterChanges.rolloutUndo({ ...target, onlyIfImage: newImage });
    const after = await waits(input.rolloutTimeoutMs).waitForRollout({ ...target, timeoutMs: input.rolloutTimeoutMs });
    restored = after.done && after.images[input.container] === oldImage;
    if (!restored) rollbackError = `after undo the deployment runs ${after.images[input.container]}: ${after.message}`;
  } catch (err) {
    rollbackError = describe(err);
  }
  await alert({
    type: 'security_update_rolled_back',
    severity: 'critical',
    summary: restored
      ? `security update of ${where} to ${newImage} failed and was rolled back to ${oldImage}`
      : `security update of ${where} to ${newImage} failed and the rollback did not complete: act by hand`,
    details: { reasons, oldImage, newImage, restored, ...(rollbackError ? { rollbackError } : {}) },
    dedupKey: `security-rollback:${where}:${newImage}`,
  });
}

function describe(err: unknown): string {
  if (isCancellation(err)) return 'cancelled';
  if (err instanceof ActivityFailure || err instanceof ChildWorkflowFailure) return err.cause?.message ?? err.message;
  return err instanceof Error ? err.message : String(err);
}

// The Kubernetes activities. Long waits heartbeat their progress and stop when cancelled. Nothing
// here returns Secret contents: exports that include Secrets stay inside the backup activity.
import { Context } from '@temporalio/activity';
import type { KubeClients } from './clients.ts';
import { awaitAccess, bindOwnRole, reviewAccess } from './access.ts';
import { ensureNamespace } from './namespaces.ts';
import { nodesSnapshot, podMetrics } from './observe.ts';
import { waitForPodsReady } from './pods.ts';
import { applyObjects, fromYaml } from './resources.ts';
import { getRolloutState, rolloutRestart, rolloutUndo, setImage, waitForRollout } from './rollout.ts';
import { patchHpa, scaleDeployment, type HpaChanges } from './scaling.ts';
import { getHpa, listPods, pickReadyPod, restoredBy } from './status.ts';
import { execStream } from './exec.ts';
import { outputSummarizer, redactArguments } from './output-summary.ts';
import { DEFAULT_COMMANDS, resolveCommand, type CommandBook } from './commands.ts';
import { heartbeatWhile } from './progress.ts';
import { capacityFacts, versionFacts } from './capacity.ts';
import { probeService } from './service-proxy.ts';
import type { AccessCheck, WorkerRole } from '../../types/index.ts';

export { kubeClientsFrom, loadKubeConfig, type KubeClients } from './clients.ts';

/** Heartbeat and cancellation of the running activity, for the waits. */
function activityWait(timeoutMs: number, pollMs?: number) {
  const context = Context.current();
  return {
    timeoutMs,
    pollMs,
    onProgress: (detail: unknown) => context.heartbeat(detail),
    signal: context.cancellationSignal,
  };
}

/** A field manager owned by this workflow, so a retry re-owns the same fields instead of conflicting. */
function workflowFieldManager(): string {
  const { info } = Context.current();
  return `pno-${info.workflowExecution?.workflowId ?? info.activityId}`.slice(0, 128);
}

interface DeploymentRef {
  namespace: string;
  name: string;
}

export function createKubernetesActivities(kube: KubeClients, commands: CommandBook = DEFAULT_COMMANDS) {
  return {
    listPods: (input: { namespace: string; selector: string }) => listPods(kube, input.namespace, input.selector),
    getHpa: (input: DeploymentRef) => getHpa(kube, input.namespace, input.name),
    restoredBy: (input: DeploymentRef) => restoredBy(kube, input.namespace, input.name),
    patchHpa: (input: DeploymentRef & { changes: HpaChanges }) =>
      patchHpa(kube, input.namespace, input.name, input.changes),
    scaleDeployment: (input: DeploymentRef & { replicas: number }) =>
      scaleDeployment(kube, input.namespace, input.name, input.replicas),
    setImage: (input: DeploymentRef & { container: string; image: string }) =>
      setImage(kube, input.namespace, input.name, input.container, input.image),
    rolloutRestart: (input: DeploymentRef & { restartedAt: string }) =>
      rolloutRestart(kube, input.namespace, input.name, input.restartedAt),
    getRolloutState: (input: DeploymentRef) => getRolloutState(kube, input.namespace, input.name),
    waitForRollout: (input: DeploymentRef & { timeoutMs: number; pollMs?: number }) =>
      waitForRollout(kube, input.namespace, input.name, activityWait(input.timeoutMs, input.pollMs)),
    rolloutUndo: (input: DeploymentRef & { toRevision?: string; onlyIfImage?: string }) =>
      rolloutUndo(kube, input.namespace, input.name, input),
    ensureNamespace: (input: { name: string; labels?: Record<string, string> }) =>
      ensureNamespace(kube, input.name, input.labels),
    /** Whether the worker may do each of `checks`, as the API server answers for its identity. */
    reviewAccess: (input: { checks: AccessCheck[] }) => reviewAccess(kube, input.checks),
    /** Waits until every check is allowed, e.g. after `bindOwnRole`; says which are still denied. */
    awaitAccess: (input: { checks: AccessCheck[]; timeoutMs: number }) =>
      awaitAccess(kube, input.checks, activityWait(input.timeoutMs, 250)),
    bindOwnRole: (input: { namespace: string; role: WorkerRole; dryRun?: boolean }) =>
      bindOwnRole(kube, input.namespace, input.role, input.dryRun),
    waitForPodsReady: (input: {
      namespace: string;
      selector: string;
      minReady: number;
      timeoutMs: number;
      pollMs?: number;
    }) =>
      waitForPodsReady(
        kube,
        input.namespace,
        input.selector,
        input.minReady,
        activityWait(input.timeoutMs, input.pollMs),
      ),
    /** Server-side applies a manifest set (no Secrets: the YAML passes through workflow history). */
    applyManifests: (input: { yaml: string; targetNamespace?: string }) =>
      applyObjects(kube, fromYaml(input.yaml), {
        fieldManager: workflowFieldManager(),
        targetNamespace: input.targetNamespace,
      }),
    /** Runs the configured command `command` names in a ready pod (or `pod`); only a summary of its output returns. */
    execInPod: async (input: {
      namespace: string;
      selector: string;
      pod?: string;
      container: string;
      /** A name in the worker's commands. */
      command: string;
      /** The input field that named it, for the refusal. */
      field?: string;
    }) => {
      const argv = resolveCommand(commands, input.command, input.field ?? 'command');
      const pod = input.pod ?? (await pickReadyPod(kube, input.namespace, input.selector));
      const context = Context.current();
      // Only a summary of the output reaches history: the command may print secrets.
      const [stdout, stderr] = [outputSummarizer(), outputSummarizer()];
      const run = execStream(kube, { namespace: input.namespace, pod, container: input.container }, argv, {
        stdout: stdout.sink,
        stderr: stderr.sink,
        signal: context.cancellationSignal,
      });
      // A command can run for minutes (database maintenance): heartbeat so a dead worker is noticed.
      const exitCode = await heartbeatWhile(run, () => context.heartbeat({ pod }));
      // The arguments are configuration, shown to say what ran; redacted all the same.
      return { pod, command: redactArguments(argv), exitCode, stdout: stdout.summary(), stderr: stderr.summary() };
    },
    /** GETs `path` of a Service (`name:port`) through the API server's service proxy. */
    probeService: (input: { namespace: string; service: string; path: string; timeoutMs: number }) =>
      probeService(kube, input),
    podMetrics: (input: { namespace: string; selector: string }) => podMetrics(kube, input.namespace, input.selector),
    nodesSnapshot: () => nodesSnapshot(kube),
    capacityFacts: (input: { namespace: string; selector: string }) =>
      capacityFacts(kube, input.namespace, input.selector),
    versionFacts: (input: DeploymentRef) => versionFacts(kube, input.namespace, input.name),
  };
}

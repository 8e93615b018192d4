// The security activities: trivy scans, certificate facts, audit facts and the optional image build
// Job. They fetch and report; what is critical, expiring or refused is the workflows' call.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Context } from '@temporalio/activity';
import type { KubeClients } from '../kubernetes/clients.ts';
import { exportNamespace, toYaml } from '../kubernetes/resources.ts';
import { bindingsToRoles, collectWorkloads } from './audit.ts';
import { listCertManagerCertificates, listTlsCertificates } from './certificates.ts';
import { startImageBuild, waitForImageBuild, type ImageBuildRequest } from './image-build.ts';
import { scanConfigDir, scanImage, type TrivyConfig } from './trivy.ts';
import { DEFAULT_SECURITY_POLICY, type SecurityPolicy } from '../../types/index.ts';

export type { TrivyConfig } from './trivy.ts';

/** Heartbeat and cancellation of the running activity, for long scans. */
function scanContext(timeoutMs: number) {
  const context = Context.current();
  return {
    timeoutMs,
    signal: context.cancellationSignal,
    onAlive: (elapsedMs: number) => context.heartbeat({ elapsedMs }),
  };
}

/** Workload kinds a misconfiguration scan looks at: never Secrets or ConfigMaps (their values would land on disk). */
const scannedKinds = [
  { apiVersion: 'v1', kind: 'ServiceAccount' },
  { apiVersion: 'v1', kind: 'Service' },
  { apiVersion: 'apps/v1', kind: 'Deployment' },
  { apiVersion: 'apps/v1', kind: 'StatefulSet' },
];

export function createSecurityActivities(
  kube: KubeClients,
  trivy: TrivyConfig = { path: 'trivy' },
  policy: SecurityPolicy = DEFAULT_SECURITY_POLICY,
) {
  return {
    /** The configuration's rules for security updates (allowed registries, approval). */
    securityPolicy: async (): Promise<SecurityPolicy> => ({ ...policy, registries: [...policy.registries] }),

    /** Vulnerabilities of an image's OS and language packages (trivy image). */
    scanImage: (input: { image: string; timeoutMs: number }) =>
      scanImage(trivy, input.image, scanContext(input.timeoutMs)),

    /** Trivy's misconfiguration checks on the namespace's workloads, exported to a private temp dir. */
    async scanNamespaceConfig(input: { namespace: string; timeoutMs: number }) {
      const objects = await exportNamespace(kube, input.namespace, scannedKinds);
      const dir = await mkdtemp(join(tmpdir(), 'pno-config-scan-'));
      try {
        await Promise.all(
          objects.map((o, i) =>
            writeFile(join(dir, `${i}-${o.kind}-${o.metadata?.name}.yaml`.toLowerCase()), toYaml([o])),
          ),
        );
        return await scanConfigDir(trivy, dir, `namespace ${input.namespace}`, scanContext(input.timeoutMs));
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },

    listTlsCertificates: (input: { namespace: string }) => listTlsCertificates(kube, input.namespace),
    listCertManagerCertificates: (input: { namespace: string }) => listCertManagerCertificates(kube, input.namespace),

    collectWorkloads: (input: { namespace: string }) => collectWorkloads(kube, input.namespace),
    bindingsToRoles: (input: { roles: string[]; namespaces: string[] }) =>
      bindingsToRoles(kube, input.roles, input.namespaces),

    startImageBuild: (input: ImageBuildRequest) => startImageBuild(kube, input),
    waitForImageBuild(input: {
      namespace: string;
      name: string;
      destination: string;
      timeoutMs: number;
      pollMs?: number;
    }) {
      const context = Context.current();
      return waitForImageBuild(kube, input.namespace, input.name, input.destination, {
        timeoutMs: input.timeoutMs,
        pollMs: input.pollMs,
        onProgress: (state) => context.heartbeat(state),
        signal: context.cancellationSignal,
      });
    },
  };
}

// The optional image step: a Kubernetes Job that builds the candidate from the generated Dockerfile
// (kaniko by default, no Docker daemon), instead of the guide's `docker build` on a host. The Job and
// its ConfigMap are named by the caller from the workflow id, so a retry finds them instead of
// starting a second build.
import { ApiException, type KubernetesObject, type V1Pod } from '@kubernetes/client-node';
import type { KubeClients } from '../kubernetes/clients.ts';
import { kubeCall } from '../kubernetes/errors.ts';
import { pollUntil, type WaitOptions } from '../kubernetes/progress.ts';

export interface ImageBuildRequest {
  namespace: string;
  /** Names the Job and its ConfigMap. */
  name: string;
  builderImage: string;
  dockerfile: string;
  /** Where the builder pushes, e.g. `registry.example.com/pno/pno-inference:security-<id>`. */
  destination: string;
  /** A docker-registry Secret the builder pushes with (its name only). */
  pushSecret?: string;
}

export interface ImageBuildState {
  done: boolean;
  succeeded: boolean;
  message: string;
  /** The pushed image by digest when the builder reported one, else the destination tag. */
  image: string;
}

async function createOrKeep(kube: KubeClients, obj: KubernetesObject): Promise<void> {
  try {
    await kube.objects.create(obj);
  } catch (err) {
    // Already there from an earlier attempt of the same workflow: that build is the one we follow.
    if (err instanceof ApiException && err.code === 409) return;
    await kubeCall(`create ${obj.kind} ${obj.metadata?.namespace}/${obj.metadata?.name}`, () => Promise.reject(err));
  }
}

export async function startImageBuild(kube: KubeClients, req: ImageBuildRequest): Promise<{ job: string }> {
  const labels = {
    'app.kubernetes.io/managed-by': 'pno-maintenance',
    'app.kubernetes.io/component': 'security-image-build',
  };
  await createOrKeep(kube, {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: req.name, namespace: req.namespace, labels },
    data: { Dockerfile: req.dockerfile },
  } as KubernetesObject);
  const volumes: object[] = [{ name: 'context', configMap: { name: req.name } }];
  const mounts: object[] = [{ name: 'context', mountPath: '/workspace' }];
  if (req.pushSecret) {
    volumes.push({
      name: 'push-auth',
      secret: { secretName: req.pushSecret, items: [{ key: '.dockerconfigjson', path: 'config.json' }] },
    });
    mounts.push({ name: 'push-auth', mountPath: '/kaniko/.docker', readOnly: true });
  }
  await createOrKeep(kube, {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: req.name, namespace: req.namespace, labels },
    spec: {
      backoffLimit: 1,
      ttlSecondsAfterFinished: 7 * 24 * 3600,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          automountServiceAccountToken: false,
          containers: [
            {
              name: 'build',
              image: req.builderImage,
              args: [
                '--dockerfile=/workspace/Dockerfile',
                '--context=dir:///workspace',
                `--destination=${req.destination}`,
                // The pushed digest becomes the pod's termination message: the candidate by digest.
                '--digest-file=/dev/termination-log',
              ],
              volumeMounts: mounts,
            },
          ],
          volumes,
        },
      },
    },
  } as KubernetesObject);
  return { job: req.name };
}

interface JobStatus {
  succeeded?: number;
  failed?: number;
  conditions?: { type?: string; status?: string; message?: string; reason?: string }[];
}

export async function imageBuildState(
  kube: KubeClients,
  namespace: string,
  name: string,
  destination: string,
): Promise<ImageBuildState> {
  const job = (await kubeCall(`read job ${namespace}/${name}`, () =>
    kube.objects.read({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name, namespace } }),
  )) as KubernetesObject & { status?: JobStatus };
  const conditions = job.status?.conditions ?? [];
  const failed = conditions.find((c) => c.type === 'Failed' && c.status === 'True');
  if (failed)
    return {
      done: true,
      succeeded: false,
      message: `build failed: ${failed.reason ?? ''} ${failed.message ?? ''}`.trim(),
      image: destination,
    };
  const complete = conditions.find((c) => c.type === 'Complete' && c.status === 'True');
  if (!complete && (job.status?.succeeded ?? 0) === 0)
    return { done: false, succeeded: false, message: 'building', image: destination };
  return {
    done: true,
    succeeded: true,
    message: 'built and pushed',
    image: await pushedImage(kube, namespace, name, destination),
  };
}

/** `repo@sha256:…` from the builder's termination message, when it wrote one. */
async function pushedImage(kube: KubeClients, namespace: string, job: string, destination: string): Promise<string> {
  const pods = await kubeCall(`list pods of job ${namespace}/${job}`, () =>
    kube.core.listNamespacedPod({ namespace, labelSelector: `job-name=${job}` }),
  );
  const digest = pods.items
    .flatMap((p: V1Pod) => p.status?.containerStatuses ?? [])
    .map((s) => s.state?.terminated?.message?.trim() ?? '')
    .find((m) => /^sha256:[0-9a-f]{64}$/.test(m));
  if (!digest) return destination;
  const repository = destination.replace(/@.*$/, '').replace(/:[^/:]+$/, '');
  return `${repository}@${digest}`;
}

export function waitForImageBuild(
  kube: KubeClients,
  namespace: string,
  name: string,
  destination: string,
  options: WaitOptions,
) {
  return pollUntil(() => imageBuildState(kube, namespace, name, destination), options);
}

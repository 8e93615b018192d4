// Shared by the security workflow tests: a scanner stubbed at the activity boundary (findings per
// image, from the committed trivy fixture), an alert recorder, and the real cluster, HTTP, model and
// report activities.
import { cp, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Activities } from '../../activities/index.ts';
import { createHttpActivities } from '../../activities/http/index.ts';
import { createKubernetesActivities } from '../../activities/kubernetes/index.ts';
import { applyObjects } from '../../activities/kubernetes/resources.ts';
import { waitForRollout } from '../../activities/kubernetes/rollout.ts';
import { createModelActivities } from '../../activities/model/index.ts';
import { createReportActivities } from '../../activities/reports/index.ts';
import { createSecurityActivities } from '../../activities/security/index.ts';
import { parseVulnerabilityReport } from '../../activities/security/trivy-report.ts';
import { scanImage as trivyScanImage } from '../../activities/security/trivy.ts';
import type { ImageScan, SecurityPolicy, SendAlertInput, VulnerabilityFinding } from '../../types/index.ts';
import { criticalFindings } from '../../workflows/security/policy.ts';
import { toolPath, toolsDir } from '../../stack/tools.ts';
import { bindWorkerRoles, freshNamespace, inferenceDeployment, testKube, workerKube } from '../helpers/kube.ts';
import { freshBucket, testS3 } from '../helpers/s3.ts';
import { writeImageArchive, type FixtureImage } from './image-archive.ts';

export const oldImage = 'registry.example.com/pno/pno-inference:1.4.0';

const report = JSON.parse(
  await readFile(new URL('../fixtures/security/trivy-image-vulnerable.json', import.meta.url), 'utf8'),
) as unknown;
/** The running image's findings: four criticals (CRITICAL/HIGH with a fix). */
export const vulnerable: VulnerabilityFinding[] = parseVulnerabilityReport(report, oldImage).findings;
/** The same image with every fixable critical gone. */
export const fixed: VulnerabilityFinding[] = vulnerable.filter((f) => !criticalFindings(vulnerable).includes(f));

/** scanImage answering from a table; images not in it scan clean of criticals. */
export function stubScanner(table: Record<string, VulnerabilityFinding[]>) {
  const scanned: string[] = [];
  const scanImage = async ({ image }: { image: string }): Promise<ImageScan> => {
    scanned.push(image);
    return { image, artifactName: image, os: 'debian 12.5', targets: [], findings: table[image] ?? fixed };
  };
  return { scanImage, scanned };
}

/**
 * scanImage running the real trivy, offline, on archives of these images with the suite's fixture DB
 * (built by scripts/tools/ensure-trivy.sh): only the registry is replaced, by `--input <archive>`.
 */
export async function trivyScanner(images: Record<string, FixtureImage>) {
  const dir = await mkdtemp(join(tmpdir(), 'pno-trivy-scan-'));
  await cp(join(toolsDir, 'share', 'trivy-fixture-db'), join(dir, 'cache'), { recursive: true });
  const archives = Object.fromEntries(
    await Promise.all(
      Object.entries(images).map(async ([ref, image], i) => {
        const path = join(dir, `image-${i}.tar`);
        await writeImageArchive(path, { ...image, repoTag: ref });
        return [ref, path] as const;
      }),
    ),
  );
  const trivy = { path: toolPath('trivy'), cacheDir: join(dir, 'cache'), offline: true };
  const scanned: string[] = [];
  const scanImage = async ({ image, timeoutMs }: { image: string; timeoutMs: number }): Promise<ImageScan> => {
    scanned.push(image);
    return trivyScanImage(trivy, image, {
      timeoutMs,
      archive: archives[image] ?? join(dir, 'not-in-the-registry.tar'),
    });
  };
  return { scanImage, scanned, dir };
}

/**
 * scanImage answering the images in `table` from it, and scanning every other image with the real
 * trivy, offline, in the real node's own containerd (the worker's PNO_TRIVY_IMAGE_SRC=containerd).
 */
export async function nodeScanner(table: Record<string, VulnerabilityFinding[]>, containerdAddress: string) {
  const dir = await mkdtemp(join(tmpdir(), 'pno-trivy-node-'));
  await cp(join(toolsDir, 'share', 'trivy-fixture-db'), join(dir, 'cache'), { recursive: true });
  const trivy = {
    path: toolPath('trivy'),
    cacheDir: join(dir, 'cache'),
    offline: true,
    imageSources: ['containerd' as const],
    containerd: { address: containerdAddress, namespace: 'k8s.io' },
  };
  const stub = stubScanner(table);
  const scanImage = async ({ image, timeoutMs }: { image: string; timeoutMs: number }): Promise<ImageScan> => {
    if (image in table) return stub.scanImage({ image });
    stub.scanned.push(image);
    return trivyScanImage(trivy, image, { timeoutMs });
  };
  return { scanImage, scanned: stub.scanned, dir };
}

export function alertRecorder() {
  const alerts: SendAlertInput[] = [];
  const sendAlert = async (alert: SendAlertInput) => {
    alerts.push(alert);
    return {
      dedupKey: alert.dedupKey,
      status: alert.resolved ? ('resolved' as const) : ('firing' as const),
      delivered: [],
    };
  };
  return { sendAlert, alerts };
}

/** A fresh namespace with the inference deployment rolled out on the old image (on the real node unless told). */
export async function deployedService(options: { progressDeadlineSeconds?: number; node?: 'real' | 'simulated' } = {}) {
  const namespace = await freshNamespace('sec');
  await bindWorkerRoles(namespace);
  const deployment = inferenceDeployment(namespace, oldImage, 2, options.node);
  if (options.progressDeadlineSeconds)
    Object.assign(deployment.spec, { progressDeadlineSeconds: options.progressDeadlineSeconds });
  await applyObjects(testKube(), [deployment], { fieldManager: 'test' });
  await waitForRollout(testKube(), namespace, 'pno-physics-bench', { timeoutMs: 60_000, pollMs: 200 });
  return namespace;
}

/** Real cluster (build Job included), HTTP, model and report activities; scanner and alerts stubbed. */
export async function securityActivities(
  apiUrl: string,
  table: Record<string, VulnerabilityFinding[]>,
  scanner: { scanImage: Activities['scanImage']; scanned: string[] } = stubScanner(table),
  // A configuration that turns approval off, so most tests roll out at once; the default's is on.
  policy: SecurityPolicy = { registries: [], requireApproval: false },
) {
  const bucket = await freshBucket('security');
  const recorder = alertRecorder();
  const activities: Partial<Activities> = {
    // As the worker's ServiceAccount, with the rights deploy/rbac.yaml gives it in production.
    ...createKubernetesActivities(workerKube()),
    ...createSecurityActivities(workerKube(), undefined, policy),
    ...createHttpActivities({ defaultApiBaseUrl: apiUrl }),
    ...createModelActivities({}),
    ...createReportActivities({ s3: testS3(), bucket }),
    scanImage: scanner.scanImage,
    sendAlert: recorder.sendAlert,
  };
  return { activities, bucket, scanned: scanner.scanned, alerts: recorder.alerts };
}

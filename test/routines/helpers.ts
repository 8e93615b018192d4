// Shared by the routine tests: the product's activities bound to the real local servers (as the
// identity a test picks), and readers for what a routine leaves behind (reports, alerts, steps).
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { createActivities, type Activities } from '../../activities/index.ts';
import { DEFAULT_COMMANDS, type CommandBook } from '../../activities/kubernetes/commands.ts';
import type { BackupKey } from '../../activities/archive/index.ts';
import type { KubeClients } from '../../activities/kubernetes/clients.ts';
import type { RoutineReport, StepOutcome } from '../../types/index.ts';
import type { Receiver } from '../alerts/receiver.ts';
import type { InferenceApi } from '../../stack/inference-api.ts';
import { goodModel, validationSet } from '../model/fixtures.ts';
import { freshBucket, testS3 } from '../helpers/s3.ts';

export interface RoutineEnv {
  api: InferenceApi;
  receiver: Receiver;
  /** Whose permissions the activities act with: cluster-admin or the worker's ServiceAccount. */
  kube: KubeClients;
  /** Needed by the backup and restore activities. */
  backupKey?: BackupKey;
  /** Where the latency read asks (the worker's PNO_PROMETHEUS_URL); unset, routines probe. */
  prometheusUrl?: string;
}

/** The guide's commands, and the ones routine tests name to make a step pass or fail inside the container. */
export const TEST_COMMANDS: CommandBook = {
  ...DEFAULT_COMMANDS,
  'no-op': ['true'],
  'exit-1': ['sh', '-c', 'exit 1'],
  'exit-3': ['sh', '-c', 'exit 3'],
};

/** Every product activity on the real servers, with a fresh bucket; `overrides` replace some at the boundary. */
export async function realActivities(
  env: RoutineEnv,
  overrides: Partial<Activities> = {},
): Promise<{ activities: Partial<Activities>; bucket: string }> {
  const bucket = await freshBucket('routine');
  const activities = createActivities({
    kube: env.kube,
    http: { defaultApiBaseUrl: env.api.url, ...(env.prometheusUrl ? { prometheusUrl: env.prometheusUrl } : {}) },
    model: { defaultModelPath: goodModel, defaultValidationSetPath: validationSet, kube: env.kube },
    storage: { s3: testS3(), bucket, ...(env.backupKey ? { backupKey: env.backupKey } : {}) },
    alerts: { webhookUrl: env.receiver.url },
    commands: TEST_COMMANDS,
  });
  return { activities: { ...activities, ...overrides }, bucket };
}

/** The daily routine's boundary stubs: no vulnerability database offline, no nightly backup here. */
export const dailyStubs: Partial<Activities> = {
  scanImage: async ({ image }) => ({ image, artifactName: image, targets: [], findings: [] }),
  findLatestBackup: async () => ({
    key: 'pno/backups/nightly.tar.gz.enc',
    lastModified: new Date().toISOString(),
    size: 1,
  }),
  verifyBackup: async ({ key }) => ({
    bucket: 'nightly',
    key,
    keyId: 'k',
    objectBytes: 1,
    pieces: 0,
    pieceBytes: 0,
    entries: 5,
    bytes: 1,
    manifest: {} as never,
  }),
};

export const byStep = (report: RoutineReport) => Object.fromEntries(report.steps.map((s) => [s.step, s.status]));

export const stepsByName = (report: RoutineReport): Record<string, StepOutcome> =>
  Object.fromEntries(report.steps.map((s) => [s.step, s]));

/** A JSON object from the bucket. */
export async function storedJson<T = unknown>(bucket: string, key: string): Promise<T> {
  const object = await testS3().send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return JSON.parse(await object.Body!.transformToString()) as T;
}

interface AlertBody {
  status: 'firing' | 'resolved';
  type: string;
  severity: string;
  summary: string;
  dedupKey?: string;
  details?: { workflowId?: string; failed?: StepOutcome[]; reportKey?: string };
}

/** Alerts the receiver got after `from` (an index into its requests). */
export const alertsSince = (receiver: Receiver, from: number): AlertBody[] =>
  receiver.requests.slice(from).map((r) => r.body as AlertBody);

/** The routine's own alerts (not its children's) for one run. */
export const routineAlerts = (receiver: Receiver, from: number, workflowId: string) =>
  alertsSince(receiver, from).filter((a) => a.type.startsWith('routine_') && a.details?.workflowId === workflowId);

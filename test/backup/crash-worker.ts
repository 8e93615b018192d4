// A worker in its own process, so a test can SIGKILL it mid-upload or mid-restore. Settings arrive as one JSON env var.
import { NativeConnection } from '@temporalio/worker';
import { createActivities } from '../../activities/index.ts';
import { BackupKey } from '../../activities/archive/index.ts';
import { kubeClientsFrom, loadKubeConfig } from '../../activities/kubernetes/clients.ts';
import { createS3Client } from '../../activities/storage/client.ts';
import { createProductWorker } from '../../workers/worker.ts';
import '../helpers/quiet-runtime.ts';

const settings = JSON.parse(process.env.PNO_CRASH_WORKER ?? '{}') as {
  address: string;
  namespace: string;
  taskQueue: string;
  bundle: string;
  kubeconfig: string;
  s3: { endpoint: string; region: string; accessKeyId: string; secretAccessKey: string };
  bucket: string;
  key: string;
  stageDir?: string;
};

const connection = await NativeConnection.connect({ address: settings.address });
const worker = await createProductWorker({
  connection,
  namespace: settings.namespace,
  taskQueue: settings.taskQueue,
  workflowBundlePath: settings.bundle,
  activities: createActivities({
    kube: kubeClientsFrom(loadKubeConfig(settings.kubeconfig)),
    storage: {
      s3: createS3Client({ ...settings.s3, credentials: settings.s3 }),
      bucket: settings.bucket,
      backupKey: new BackupKey(Buffer.from(settings.key, 'base64')),
    },
    ...(settings.stageDir ? { restoreStage: { dir: settings.stageDir } } : {}),
  }),
});
process.stdout.write('polling\n');
await worker.run();

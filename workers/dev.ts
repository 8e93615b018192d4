// The embedded default (`./ops start`): a local Temporal dev server with its Web UI on :8233, a local
// stand-in for the inference API, the worker and the schedules. Ctrl-C stops everything.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startInferenceApi } from '../test/env/inference-api.ts';
import { startLocalTemporal } from '../test/env/temporal.ts';
import { readWorkerConfig } from './config.ts';
import { installLogging } from './logging.ts';
import { runWorker } from './main.ts';

const stateDir = fileURLToPath(new URL('../.tools/state/', import.meta.url));
mkdirSync(stateDir, { recursive: true });

const config = readWorkerConfig({ ...process.env, PNO_SYNC_SCHEDULES: 'true' });
const logger = installLogging(config.logLevel);

const temporal = await startLocalTemporal({ port: 7233, uiPort: 8233, dbFilename: `${stateDir}temporal.db` });
const api = await startInferenceApi();
process.stdout.write(
  [
    '',
    'PNO maintenance is running on the embedded default.',
    '  Temporal Web UI:   http://localhost:8233',
    '  Temporal server:   127.0.0.1:7233 (namespace default)',
    `  Inference API:     ${api.url} (local stand-in)`,
    '  Try: temporal workflow start --task-queue pno-maintenance --type healthCheckWorkflow --input \'{}\'',
    'Ctrl-C stops it.',
    '',
  ].join('\n') + '\n',
);

try {
  await runWorker({ ...config, temporal: { address: '127.0.0.1:7233', namespace: 'default' }, apiBaseUrl: api.url }, logger);
} finally {
  await api.close();
  await temporal.teardown().catch((err: unknown) => logger.warn('dev server teardown', { error: String(err) }));
  logger.info('stopped');
}

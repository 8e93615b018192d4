// A real Temporal dev server from the `temporal` CLI that setup built (TEMPORAL_CLI_PATH), with the
// product's search attributes registered. Used by the test suite and by `./ops start`.
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { searchAttributes } from '../types/index.ts';
import { host } from './kube/host-command.ts';
import { waitUntil } from './process.ts';
import { toolPath } from './tools.ts';

export interface LocalTemporalOptions {
  /** Fixed ports for the embedded default; tests leave them unset to get free ones. */
  port?: number;
  uiPort?: number;
  /** SQLite file to keep history across restarts; unset keeps everything in memory. */
  dbFilename?: string;
  /** The codec server the Web UI decodes sealed payloads with. */
  uiCodecEndpoint?: string;
}

export async function startLocalTemporal(options: LocalTemporalOptions = {}): Promise<TestWorkflowEnvironment> {
  // The CLI setup built (TEMPORAL_CLI_PATH, else the tool cache's), never the SDK's download: nothing
  // here may reach the internet, and a server fetched at run time would not be the pinned one.
  const cliPath = temporalCliPath();
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: cliPath },
      ip: '127.0.0.1',
      ...(options.port ? { port: options.port } : {}),
      ...(options.uiPort ? { ui: true, uiPort: options.uiPort } : {}),
      ...(options.dbFilename ? { dbFilename: options.dbFilename } : {}),
      ...(options.uiCodecEndpoint ? { extraArgs: ['--ui-codec-endpoint', options.uiCodecEndpoint] } : {}),
      searchAttributes: Object.values(searchAttributes),
      log: { format: 'json', level: 'error' },
    },
  });
}

/**
 * The namespace, as deploy/compose/temporal-namespace.sh creates it, once the frontend serves it (its
 * namespace cache refreshes on a timer). The worker registers the product's search attributes itself.
 */
export async function createNamespace(address: string, namespace: string): Promise<void> {
  await temporalCli(address, ['operator', 'namespace', 'create', '--namespace', namespace, '--retention', '30d']);
  await waitUntil(
    `namespace ${namespace}`,
    async () => {
      await temporalCli(address, ['workflow', 'count', '--namespace', namespace]);
      return true;
    },
    { timeoutMs: 60_000 },
  );
}

/** The `temporal` CLI setup built: TEMPORAL_CLI_PATH, else the tool cache's. */
const temporalCliPath = () => process.env.TEMPORAL_CLI_PATH || toolPath('temporal');

/** That CLI against the server at `address`. */
export const temporalCli = (address: string, args: string[]) =>
  host(temporalCliPath(), [...args, '--address', address]);

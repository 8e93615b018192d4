// A real S3 server: MinIO built by setup, on free loopback ports with a temporary data directory.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startProcess, waitUntil, type ServerProcess } from './process.ts';
import { toolPath } from './tools.ts';

export interface S3Settings {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export interface LocalMinio extends S3Settings {
  process: ServerProcess;
  dataDir: string;
  /** Stops the server but keeps its data (to test outages); `resume` brings it back on the same port. */
  pause(): Promise<void>;
  resume(): Promise<void>;
  stop(): Promise<void>;
}

export interface MinioOptions {
  port?: number;
  /** Kept after stop (the embedded default's state); unset uses a temporary directory. */
  dataDir?: string;
}

export async function startMinio(options: MinioOptions = {}): Promise<LocalMinio> {
  const binary = toolPath('minio');
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'pno-minio-')));
  const port = options.port ?? (await freePort());
  const consolePort = await freePort();
  const credentials = { accessKeyId: 'pno-test', secretAccessKey: randomBytes(18).toString('base64url') };
  const endpoint = `http://127.0.0.1:${port}`;

  const launch = async () => {
    const server = startProcess(
      'minio',
      binary,
      [
        'server',
        join(dataDir, 'data'),
        '--address',
        `127.0.0.1:${port}`,
        '--console-address',
        `127.0.0.1:${consolePort}`,
        '--quiet',
      ],
      {
        logFile: join(dataDir, 'minio.log'),
        // Dies with the terminal's Ctrl-C: nothing drains through it, and a server left behind by a
        // killed run would hold the same data directory as the next one.
        processGroup: 'terminal',
        env: {
          MINIO_ROOT_USER: credentials.accessKeyId,
          MINIO_ROOT_PASSWORD: credentials.secretAccessKey,
          MINIO_BROWSER: 'off',
          MINIO_UPDATE: 'off',
        },
      },
    );
    await waitUntil('minio', async () => (await fetch(`${endpoint}/minio/health/ready`)).ok, {
      timeoutMs: 30_000,
      process: server,
    });
    return server;
  };

  let server = await launch();
  return {
    endpoint,
    region: 'us-east-1',
    ...credentials,
    dataDir,
    get process() {
      return server;
    },
    pause: () => server.stop(),
    async resume() {
      server = await launch();
    },
    async stop() {
      await server.stop();
      if (!options.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

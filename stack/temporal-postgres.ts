// Temporal on PostgreSQL for real, without Docker: what docker-compose.yml runs, as processes. Debian's
// PostgreSQL, the schemas created and migrated by temporal-sql-tool (deploy/compose/temporal-schema.sh's
// steps), temporal-server at the version the compose file pins (both built by
// scripts/tools/ensure-temporal-server.sh), then the namespace.
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { host } from './kube/host-command.ts';
import { startPostgres, type LocalPostgres } from './postgres.ts';
import { freePort, freePortIn, startProcess, waitUntil, type ServerProcess } from './process.ts';
import { createNamespace, temporalCli } from './temporal.ts';
import { toolPath, toolsDir } from './tools.ts';

export interface TemporalOnPostgres {
  /** The frontend's gRPC address, host:port. */
  address: string;
  namespace: string;
  postgres: LocalPostgres;
  server: ServerProcess;
  stop(): Promise<void>;
}

const DATABASES = { temporal: 'temporal', visibility: 'temporal_visibility' } as const;

export async function startTemporalOnPostgres(dir: string, namespace = 'default'): Promise<TemporalOnPostgres> {
  // Its own directory under /tmp: the postgres user must reach it, and not the rest of `dir`.
  const postgres = await startPostgres(await mkdtemp(join(tmpdir(), 'pno-temporal-pg-')), {
    user: 'temporal',
    password: 'temporal',
  });
  try {
    await setUpSchemas(postgres);
    const server = await startServer(dir, postgres);
    const address = server.address;
    try {
      await createNamespace(address, namespace);
    } catch (err) {
      await server.process.stop();
      throw err;
    }
    return {
      address,
      namespace,
      postgres,
      server: server.process,
      stop: async () => {
        await server.process.stop();
        await postgres.stop();
      },
    };
  } catch (err) {
    await postgres.stop();
    throw err;
  }
}

/** temporal-sql-tool as the compose file's schema job runs it: create, version table, migrate to the newest. */
async function setUpSchemas(postgres: LocalPostgres): Promise<void> {
  const schema = join(toolsDir, 'share/temporal-schema/postgresql/v12');
  const env = {
    SQL_PLUGIN: 'postgres12',
    SQL_HOST: postgres.host,
    SQL_PORT: String(postgres.port),
    SQL_USER: postgres.user,
    SQL_PASSWORD: postgres.password,
  };
  const tool = (database: string, args: string[]) =>
    host(toolPath('temporal-sql-tool'), args, { env: { ...env, SQL_DATABASE: database } });
  for (const [store, database] of Object.entries(DATABASES)) {
    await tool(database, ['create-database']);
    await tool(database, ['setup-schema', '-v', '0.0']);
    await tool(database, ['update-schema', '-d', join(schema, store, 'versioned')]);
  }
}

async function startServer(dir: string, postgres: LocalPostgres) {
  const ports = {
    frontend: await freePort(),
    frontendHttp: await freePort(),
    history: await freePort(),
    matching: await freePort(),
    worker: await freePort(),
    membership: await membershipPorts(4),
  };
  const datastore = (databaseName: string, maxConns: number) => ({
    sql: {
      pluginName: 'postgres12',
      databaseName,
      connectAddr: `${postgres.host}:${postgres.port}`,
      connectProtocol: 'tcp',
      user: postgres.user,
      password: postgres.password,
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  });
  const service = (grpcPort: number, membershipPort: number, extra: Record<string, unknown> = {}) => ({
    rpc: { grpcPort, membershipPort, bindOnLocalHost: true, ...extra },
  });
  const config = {
    log: { stdout: true, level: 'warn' },
    persistence: {
      defaultStore: 'postgres-default',
      visibilityStore: 'postgres-visibility',
      numHistoryShards: 4,
      datastores: {
        'postgres-default': datastore(DATABASES.temporal, 20),
        'postgres-visibility': datastore(DATABASES.visibility, 4),
      },
    },
    global: { membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' } },
    services: {
      frontend: service(ports.frontend, ports.membership[0]!, { httpPort: ports.frontendHttp }),
      history: service(ports.history, ports.membership[1]!),
      matching: service(ports.matching, ports.membership[2]!),
      worker: service(ports.worker, ports.membership[3]!),
    },
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: {
        active: {
          enabled: true,
          initialFailoverVersion: 1,
          rpcName: 'frontend',
          rpcAddress: `127.0.0.1:${ports.frontend}`,
        },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
  };
  // The server reads <root>/<config>/<env>.yaml; JSON is YAML.
  await mkdir(join(dir, 'config'), { recursive: true });
  await writeFile(join(dir, 'config', 'development.yaml'), JSON.stringify(config, null, 2), { mode: 0o600 });
  const address = `127.0.0.1:${ports.frontend}`;
  const proc = startProcess(
    'temporal-server',
    toolPath('temporal-server'),
    ['--root', dir, '--config', 'config', '--env', 'development', '--allow-no-auth', 'start'],
    { logFile: join(dir, 'temporal-server.log') },
  );
  try {
    await waitUntil(
      'temporal-server',
      async () => (await temporalCli(address, ['operator', 'cluster', 'health'])).includes('SERVING'),
      { timeoutMs: 120_000, process: proc },
    );
  } catch (err) {
    await proc.stop();
    throw err;
  }
  return { address, process: proc };
}

/** Distinct ports below 32768: the server keeps membership ports in a smallint column. */
async function membershipPorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePortIn(20_000, 32_767));
  return [...ports];
}

// A PostgreSQL server from Debian's package on loopback, in a directory of its own: initdb'd and run
// as the `postgres` user (the server refuses root), one password-protected superuser, nothing shared
// with a system cluster. For what the product stores in PostgreSQL: Temporal's persistence.
import { chown, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort, startProcess, waitUntil, type ServerProcess } from './process.ts';
import { host } from './kube/host-command.ts';

/** Debian bookworm's PostgreSQL 15 (package postgresql-15, which setup installs). */
const PG_BIN = '/usr/lib/postgresql/15/bin';

export interface LocalPostgres {
  host: '127.0.0.1';
  port: number;
  user: string;
  password: string;
  /** Runs psql as that user against `database`; resolves to its unaligned output. */
  psql(database: string, sql: string): Promise<string>;
  process: ServerProcess;
  stop(): Promise<void>;
}

async function postgresUser(): Promise<{ uid: number; gid: number }> {
  const entry = (await readFile('/etc/passwd', 'utf8')).split('\n').find((line) => line.startsWith('postgres:'));
  const [, , uid, gid] = entry?.split(':') ?? [];
  if (!uid || !gid)
    throw new Error('no postgres user: install the postgresql-15 package (scripts/tools/ensure-node-runtime.sh)');
  return { uid: Number(uid), gid: Number(gid) };
}

export async function startPostgres(dir: string, options: { user: string; password: string }): Promise<LocalPostgres> {
  const owner = await postgresUser();
  const data = join(dir, 'data');
  const sockets = join(dir, 'sockets');
  await mkdir(sockets, { recursive: true });
  await chown(dir, owner.uid, owner.gid);
  await chown(sockets, owner.uid, owner.gid);
  const passwordFile = join(dir, 'password');
  await writeFile(passwordFile, `${options.password}\n`, { mode: 0o600 });
  await chown(passwordFile, owner.uid, owner.gid);
  await host(
    `${PG_BIN}/initdb`,
    [
      '--pgdata',
      data,
      '--username',
      options.user,
      `--pwfile=${passwordFile}`,
      '--auth-local=scram-sha-256',
      '--auth-host=scram-sha-256',
      '--encoding=UTF8',
      '--no-locale',
    ],
    { user: owner },
  );
  const port = await freePort();
  const proc = startProcess(
    'postgres',
    `${PG_BIN}/postgres`,
    ['-D', data, '-k', sockets, '-c', 'listen_addresses=127.0.0.1', '-p', String(port)],
    // SIGINT: the fast shutdown, which does not wait for connected clients to leave.
    { logFile: join(dir, 'postgres.log'), user: owner, stopSignal: 'SIGINT' },
  );
  const env = { PGPASSWORD: options.password };
  const stop = async () => {
    await proc.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitUntil(
      'postgres',
      async () => {
        await host(`${PG_BIN}/pg_isready`, ['-h', '127.0.0.1', '-p', String(port), '-U', options.user], { env });
        return true;
      },
      { timeoutMs: 60_000, process: proc },
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    host: '127.0.0.1',
    port,
    user: options.user,
    password: options.password,
    psql: (database, sql) =>
      host(
        `${PG_BIN}/psql`,
        [
          '-h',
          '127.0.0.1',
          '-p',
          String(port),
          '-U',
          options.user,
          '-d',
          database,
          '-At',
          '-v',
          'ON_ERROR_STOP=1',
          '-c',
          sql,
        ],
        { env },
      ),
    process: proc,
    /** Stops the server and removes its directory (data and password file). */
    stop,
  };
}

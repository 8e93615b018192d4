// `npm run schedules -- <command>`: sync, list, pause, unpause, trigger and backfill the product's
// schedules. Connects like the worker (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TLS or API key).
import { Client, Connection } from '@temporalio/client';
import { ConfigError, readWorkerConfig } from '../workers/config.ts';
import { productDataConverter } from '../workers/codec/data-converter.ts';
import { connectionOptions } from '../workers/connection.ts';
import { ensureSearchAttributes } from '../workers/search-attributes.ts';
import { parseArgs, usage, UsageError, type Command } from './cli-args.ts';
import { CommandError, runCommand } from './commands.ts';
import { SCHEDULE_PREFIX, scheduleDefinitions } from './definitions.ts';

/** Exit codes: 0 done, 1 the command failed, 2 a usage or configuration mistake. */
export async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const fail = (code: number, message: string) => {
    process.stderr.write(`${message}\n`);
    return code;
  };
  let command: Command;
  try {
    command = parseArgs(argv);
  } catch (err) {
    if (err instanceof UsageError) return fail(2, `${err.message}\n\n${usage}`);
    throw err;
  }
  if (command.name === 'help') {
    out(usage);
    return 0;
  }
  let settings;
  let product;
  let payloadKeys;
  try {
    ({ temporal: settings, product, payloadKeys } = readWorkerConfig(env));
  } catch (err) {
    if (err instanceof ConfigError) return fail(2, err.message);
    throw err;
  }
  const connection = await Connection.connect(connectionOptions(settings));
  try {
    // Schedules carry their workflows' inputs: sealed like every other payload when the key is set.
    const client = new Client({
      connection,
      namespace: settings.namespace,
      dataConverter: productDataConverter(payloadKeys),
    });
    await runCommand(command, {
      client,
      definitions: scheduleDefinitions(product),
      syncOptions: { taskQueue: product.taskQueue },
      prefix: SCHEDULE_PREFIX,
      registerSearchAttributes: () => ensureSearchAttributes(connection, settings.namespace),
      out,
    });
    return 0;
  } catch (err) {
    if (err instanceof CommandError) return fail(1, err.message);
    throw err;
  } finally {
    await connection.close();
  }
}

if (import.meta.main) {
  process.exitCode = await main(process.argv.slice(2), process.env).catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 1;
  });
}

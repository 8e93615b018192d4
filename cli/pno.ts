#!/usr/bin/env node
// `pno`: the operator's command line (`./ops pno …` in a checkout, or the package's `pno` bin).
// Connects like the worker (TEMPORAL_*, S3_*, PNO_CONFIG_FILE, PNO_PAYLOAD_KEY_FILE); `backup
// decrypt` needs nothing but the key file, so a person can restore by hand when the product is down.
import { decryptBackupFile, DecryptError } from './backup-decrypt.ts';
import { parseCommand, UsageError, usage, type Command } from './pno-args.ts';

export { parseCommand, usage, UsageError };

/** Exit codes: 0 done, 1 the command failed, 2 a usage or configuration mistake. */
export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let command: Command;
  try {
    command = parseCommand(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`pno: ${err.message}\n\n${usage}\n`);
    return 2;
  }
  switch (command.name) {
    case 'help':
      process.stdout.write(`${usage}\n`);
      return 0;
    case 'schedules':
      return (await import('../schedules/cli.ts')).main(command.args, env);
    case 'backup decrypt':
      return decrypt(command);
  }
  return operate(command, env);
}

/** The commands that talk to Temporal and the bucket; loaded only for them, so decrypt starts fast. */
async function operate(
  command: Exclude<Command, { name: 'help' | 'schedules' | 'backup decrypt' }>,
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const [{ ConfigError, readWorkerConfig }, { DEFAULT_BACKUP_PREFIX }, backups, { cliContext }, runs, reports, keys] =
    await Promise.all([
      import('../workers/config.ts'),
      import('../types/index.ts'),
      import('./backups.ts'),
      import('./context.ts'),
      import('./runs.ts'),
      import('./reports.ts'),
      import('../activities/archive/keys.ts'),
    ]);
  let config;
  try {
    config = readWorkerConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`pno: ${err.message}\n`);
    return 2;
  }
  const ctx = cliContext(config, command.format);
  /** `latest` or a key, as the object key. */
  const backupNamed = (name: string) => backups.resolveBackup(ctx, name, DEFAULT_BACKUP_PREFIX);
  try {
    switch (command.name) {
      case 'backup list':
        await backups.printCatalog(ctx, command.prefix ?? DEFAULT_BACKUP_PREFIX);
        break;
      case 'backup create':
        await backups.createBackup(ctx, {
          namespace: command.namespace ?? config.product.service.namespace,
          wait: command.wait,
        });
        break;
      case 'backup describe':
        await backups.describeBackup(ctx, await backupNamed(command.backup));
        break;
      case 'backup verify':
        await backups.verifyBackupHere(ctx, await backupNamed(command.backup), command.keyFiles);
        break;
      case 'backup download':
        await backups.downloadBackup(ctx, await backupNamed(command.backup), command.out, command.pieces);
        break;
      case 'drill run':
        await runs.runDrill(ctx, { wait: command.wait });
        break;
      case 'report get':
        await reports.printReport(ctx, command.kind, command.date);
        break;
      case 'restore create':
        await runs.createRestore(ctx, { from: command.from, to: command.to, wait: command.wait });
        break;
      case 'decide':
        await runs.decide(ctx, command.workflowId, {
          approve: command.approve,
          by: command.by,
          ...(command.reason ? { reason: command.reason } : {}),
        });
        break;
      case 'approvals':
        await runs.printApprovals(ctx);
        break;
      case 'watch':
        await runs.watchRun(ctx, command.workflowId);
        break;
    }
    return 0;
  } catch (err) {
    // A key file that cannot be read is a configuration mistake, like a bad environment.
    if (err instanceof keys.BackupKeyError) {
      process.stderr.write(`pno: ${err.message}\n`);
      return 2;
    }
    const expected = [
      runs.RunFailed,
      runs.DecisionRefused,
      backups.BackupCheckFailed,
      reports.ReportNotFound,
      keys.BackupKeyError,
    ];
    if (expected.some((kind) => err instanceof kind)) {
      process.stderr.write(`pno: ${(err as Error).message}\n`);
      return 1;
    }
    throw err;
  } finally {
    await ctx.close();
  }
}

async function decrypt(command: Extract<Command, { name: 'backup decrypt' }>): Promise<number> {
  try {
    const done = await decryptBackupFile(command.object, command.keyFiles, command.out, command.pieces);
    process.stderr.write(
      `decrypted ${command.object} (format v${done.version}, key ${done.keyId}): ${done.bytes} bytes of ${done.kind}\n`,
    );
    return 0;
  } catch (err) {
    if (!(err instanceof DecryptError)) throw err;
    process.stderr.write(`pno: ${err.message}\n`);
    return 1;
  }
}

if (import.meta.main) {
  process.exitCode = await main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`pno: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  });
}

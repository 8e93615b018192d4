// Commands by name. A workflow input names the command to run in a pod (`log-rotate`, `db-dump`);
// what the name runs is the worker's configuration alone, so whoever can start a workflow cannot
// choose an argument array, and so cannot make a pod print its Secrets.
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../../types/index.ts';

/** Command name → argument array, run without a shell. */
export type CommandBook = Readonly<Record<string, readonly string[]>>;

/** The guide's commands, used when the configuration names none. */
export const DEFAULT_COMMANDS: CommandBook = Object.freeze({
  'log-rotate': ['logrotate', '-f', '/etc/logrotate.conf'],
  'db-maintenance': ['psql', '-U', 'pno', '-c', 'VACUUM ANALYZE'],
  'db-dump': ['pg_dump', '--clean', '--if-exists'],
  // The dump's path in the pod is appended.
  'db-restore': ['psql', '-v', 'ON_ERROR_STOP=1', '--single-transaction', '--file'],
});

/** The argument array `name` stands for, or a non-retryable refusal naming the input field. */
export function resolveCommand(book: CommandBook, name: string, field: string): string[] {
  const argv = Object.hasOwn(book, name) ? book[name] : undefined;
  if (!argv)
    throw ApplicationFailure.nonRetryable(
      `invalid input: ${field} names no command of the worker's configuration (got ${JSON.stringify(name)}; commands: ${Object.keys(book).sort().join(', ')})`,
      FailureType.invalidInput,
      { field },
    );
  return [...argv];
}

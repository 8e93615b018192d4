// Runs a host program from an argument array (never a shell) and returns its stdout; the error names
// the command and carries its stderr.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export async function host(
  command: string,
  args: string[],
  /** `user`: run as that uid/gid (a program that refuses root, such as initdb). */
  options: { env?: NodeJS.ProcessEnv; user?: { uid: number; gid: number } } = {},
): Promise<string> {
  try {
    const { stdout } = await run(command, args, {
      env: { ...process.env, ...options.env },
      maxBuffer: 64 * 2 ** 20,
      ...options.user,
    });
    return stdout;
  } catch (err) {
    const { stderr } = err as { stderr?: string };
    throw new Error(`${command} ${args.join(' ')}: ${stderr?.trim() || (err as Error).message}`, { cause: err });
  }
}

import type { OutputSummary } from '../../types/index.ts';

/**
 * The redacted tail of a command's output as a step reports it. Runs recorded before execInPod
 * summarised its output carry the text itself; they still replay.
 */
export function outputTail(output: OutputSummary | string): string {
  return (typeof output === 'string' ? output : output.tail).trim();
}

/** What ran, as the worker configured it; the name alone for runs recorded before results said. */
export function ranCommand(run: { command?: string[] }, name: string): string {
  return run.command ? run.command.join(' ') : name;
}

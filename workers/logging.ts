// Structured logs: one JSON object per line on stdout, for the SDK's own messages and ours.
import { DefaultLogger, type LogEntry } from '@temporalio/worker';
import type { LogLevel } from '@temporalio/common';

function writeJson(entry: LogEntry): void {
  const time = new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString();
  const line = { time, level: entry.level, msg: entry.message, ...entry.meta };
  process.stdout.write(`${JSON.stringify(line, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}\n`);
}

/** The JSON logger at `level`. */
export function jsonLogger(level: LogLevel): DefaultLogger {
  return new DefaultLogger(level, writeJson);
}

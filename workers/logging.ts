// Structured logs: one JSON object per line on stdout, for the SDK's own messages and ours.
import { DefaultLogger, Runtime, type LogEntry } from '@temporalio/worker';
import type { LogLevel, Logger } from '@temporalio/common';

function writeJson(entry: LogEntry): void {
  const time = new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString();
  const line = { time, level: entry.level, msg: entry.message, ...entry.meta };
  process.stdout.write(`${JSON.stringify(line, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}\n`);
}

/** Installs the JSON logger for the SDK runtime (once per process) and returns it. */
export function installLogging(level: LogLevel): Logger {
  const logger = new DefaultLogger(level, writeJson);
  Runtime.install({ logger });
  return logger;
}

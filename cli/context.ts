// What every `pno` command that talks to the product has: the worker's own configuration from the
// environment (so it connects exactly like the worker), a Temporal client opened on first use, the
// backup store, and where output goes (text lines, or one JSON document with -o json).
import { Client, Connection } from '@temporalio/client';
import type { S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '../activities/storage/client.ts';
import { productDataConverter } from '../workers/codec/data-converter.ts';
import { connectionOptions } from '../workers/connection.ts';
import type { WorkerConfig } from '../workers/config.ts';

export type OutputFormat = 'text' | 'json';

export interface CliContext {
  config: WorkerConfig;
  format: OutputFormat;
  temporal(): Promise<Client>;
  s3(): S3Client;
  /** A line of text output; ignored with -o json, where `json` writes the one document instead. */
  line(text: string): void;
  json(value: unknown): void;
  /** Progress for a person (stderr), never part of the output a script reads. */
  note(text: string): void;
  close(): Promise<void>;
}

export function cliContext(config: WorkerConfig, format: OutputFormat): CliContext {
  let connection: Promise<Connection> | undefined;
  let s3: S3Client | undefined;
  return {
    config,
    format,
    async temporal() {
      connection ??= Connection.connect(connectionOptions(config.temporal));
      return new Client({
        connection: await connection,
        namespace: config.temporal.namespace,
        // Inputs and results are sealed like the worker's when the payload key is set.
        dataConverter: productDataConverter(config.payloadKeys),
      });
    },
    s3() {
      s3 ??= createS3Client({ endpoint: config.s3.endpoint, region: config.s3.region });
      return s3;
    },
    line: (text) => {
      if (format === 'text') process.stdout.write(`${text}\n`);
    },
    json: (value) => {
      if (format === 'json') process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    },
    note: (text) => process.stderr.write(`${text}\n`),
    async close() {
      s3?.destroy();
      if (connection) await (await connection).close();
    },
  };
}

/** Rows as aligned columns under a header, as `kubectl get` prints them. */
export function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const format = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [format(header), ...rows.map(format)];
}

/** `3d4h`, `5h12m`, `42s`: how long ago, at a glance. */
export function age(from: Date, now = new Date()): string {
  const s = Math.max(0, Math.floor((now.getTime() - from.getTime()) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86_400)}d${Math.floor((s % 86_400) / 3600)}h`;
}

/** A byte count as people read it: 1.4 GiB, 512 KiB. */
export function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${n} B` : `${value.toFixed(1)} ${units[unit]}`;
}

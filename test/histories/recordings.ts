// Where recorded histories are kept: recorded/<scenario>/<recorded-at>.json. Files are only ever
// added, so the suite replays the current code against runs started by every older version of it.
import { readdir, readFile } from 'node:fs/promises';
import { historyFromJSON, type History } from '@temporalio/common/lib/proto-utils.js';

export const recordedDir = new URL('./recorded/', import.meta.url);

/** `2026-11-27T022035Z.json`: UTC, sortable as text, no colons so it is a valid name everywhere. */
export const recordingNamePattern = /^\d{4}-\d{2}-\d{2}T\d{6}Z\.json$/;

export interface RecordingFolder {
  /** The folder's name, which must be a scenario's name. */
  scenario: string;
  /** Every file in it, oldest recording first. */
  files: string[];
}

/** Every folder under recorded/ with its files, as they are on disk (the replay test checks them). */
export async function listRecordingFolders(): Promise<RecordingFolder[]> {
  const entries = await readdir(recordedDir, { withFileTypes: true });
  const folders = await Promise.all(
    entries.map(async (entry) => {
      if (!entry.isDirectory()) throw new Error(`${entry.name} in test/histories/recorded/ is not a scenario folder`);
      return { scenario: entry.name, files: (await readdir(recordingUrl(entry.name))).sort() };
    }),
  );
  return folders.sort((a, b) => a.scenario.localeCompare(b.scenario));
}

export function recordingUrl(scenario: string, file = ''): URL {
  return new URL(`${encodeURIComponent(scenario)}/${file}`, recordedDir);
}

/** The history as the recorder wrote it (proto JSON). */
export async function readRecordingJSON(scenario: string, file: string): Promise<unknown> {
  return JSON.parse(await readFile(recordingUrl(scenario, file), 'utf8'));
}

/** The history as a proto object, as replay takes it. */
export async function readRecording(scenario: string, file: string): Promise<History> {
  return historyFromJSON(await readRecordingJSON(scenario, file));
}

/** Named for when the run started (its first event), so the name follows from the data. */
export function recordingName(historyJSON: unknown): string {
  const started = (historyJSON as { events?: { eventTime?: string }[] }).events?.[0]?.eventTime ?? '';
  // Proto JSON writes timestamps in UTC: 2026-11-27T02:20:35.239213720Z.
  const utc = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?Z$/.exec(started);
  if (!utc) throw new Error(`history's first event time is not a UTC timestamp: '${started}'`);
  return `${utc[1]}T${utc[2]}${utc[3]}${utc[4]}Z.json`;
}

/** The recorder's workflow id. Child workflow ids derive from it, so replay must use the same one. */
export function recordedWorkflowId(scenario: string): string {
  return `history-${scenario}`;
}

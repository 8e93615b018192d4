// Replays every kept recording against the current workflow code: a change that would break runs
// started on any older version fails here (such changes go behind patched()).
import { describe, expect, inject, it } from 'vitest';
import {
  listRecordingFolders,
  readRecording,
  readRecordingJSON,
  recordedWorkflowId,
  recordingName,
  recordingNamePattern,
} from '../histories/recordings.ts';
import { scenarios } from '../histories/scenarios.ts';
import { replayEach } from './replayer.ts';

const folders = await listRecordingFolders();
// Misnamed files fail their own test below instead of being replayed (or hidden behind a parse error).
const recordings = folders.flatMap((f) =>
  f.files.filter((file) => recordingNamePattern.test(file)).map((file) => ({ scenario: f.scenario, file })),
);

describe('recorded histories', () => {
  it('exist for every scenario', () => {
    const recorded = new Set(recordings.map((r) => r.scenario));
    expect(scenarios.map((s) => s.name).filter((name) => !recorded.has(name))).toEqual([]);
  });

  it('are kept only for known scenarios', () => {
    const known = new Set(scenarios.map((s) => s.name));
    expect(folders.map((f) => f.scenario).filter((name) => !known.has(name))).toEqual([]);
  });

  it('are all named <recorded-at>.json, for when the run started', async () => {
    const misnamed = folders.flatMap((f) =>
      f.files.filter((file) => !recordingNamePattern.test(file)).map((file) => `${f.scenario}/${file}`),
    );
    expect(misnamed).toEqual([]);
    const named = await Promise.all(
      recordings.map(
        async ({ scenario, file }) => `${scenario}/${recordingName(await readRecordingJSON(scenario, file))}`,
      ),
    );
    expect(named).toEqual(recordings.map(({ scenario, file }) => `${scenario}/${file}`));
  });

  it('all replay without non-determinism', async () => {
    const items = await Promise.all(
      recordings.map(async ({ scenario, file }) => ({
        label: `${scenario}/${file}`,
        workflowId: recordedWorkflowId(scenario),
        history: await readRecording(scenario, file),
      })),
    );
    const results = await replayEach(inject('workflowBundlePath'), items);
    expect(results.filter((r) => r.error).map((r) => `${r.label}: ${r.error?.message}`)).toEqual([]);
    expect(results.length).toBeGreaterThanOrEqual(scenarios.length);
  });
});

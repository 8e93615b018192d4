// Replays every recorded history against the current workflow code: a non-deterministic change fails here.
import { readdir, readFile } from 'node:fs/promises';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker } from '@temporalio/worker';
import { describe, expect, inject, it } from 'vitest';
import { scenarios } from '../histories/scenarios.ts';

const dir = new URL('../histories/', import.meta.url);
const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();

describe('recorded histories', () => {
  it('exist for every scenario', () => {
    expect(files).toEqual(scenarios.map((s) => `${s.name}.json`).sort());
  });

  it('replay without non-determinism', async () => {
    const histories = await Promise.all(
      // The recorder's workflow id: child workflow ids derive from it, so replay must use the same one.
      files.map(async (file) => ({ workflowId: `history-${file.replace(/\.json$/, '')}`, history: historyFromJSON(JSON.parse(await readFile(new URL(file, dir), 'utf8'))) })),
    );
    const failures: string[] = [];
    for await (const result of Worker.runReplayHistories({ workflowBundle: { codePath: inject('workflowBundlePath') } }, histories)) {
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    expect(failures).toEqual([]);
    expect(histories.length).toBeGreaterThan(0);
  });
});

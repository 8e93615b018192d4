// Records the scenarios of test/histories/scenarios.ts (all, or those named as arguments) from real
// runs on a fresh local dev server, adding test/histories/recorded/<scenario>/<recorded-at>.json.
// Kept recordings are never overwritten: the suite replays them all, so a change that would break
// runs started on older code fails CI. Such changes go behind patched().
import { mkdir, writeFile } from 'node:fs/promises';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import '../test/helpers/quiet-runtime.ts';
import { startInferenceApi } from '../stack/inference-api.ts';
import { startLocalTemporal } from '../stack/temporal.ts';
import { sameShape } from '../test/histories/history-shape.ts';
import {
  listRecordingFolders,
  readRecordingJSON,
  recordedWorkflowId,
  recordingName,
  recordingNamePattern,
  recordingUrl,
} from '../test/histories/recordings.ts';
import { scenarios } from '../test/histories/scenarios.ts';
import { withWorkerAt } from '../test/helpers/worker.ts';

const only = process.argv.slice(2);
const unknown = only.filter((name) => !scenarios.some((s) => s.name === name));
if (unknown.length > 0) throw new Error(`unknown scenario(s): ${unknown.join(', ')}`);

const kept = new Map(
  (await listRecordingFolders()).map((f) => [f.scenario, f.files.filter((file) => recordingNamePattern.test(file))]),
);
const temporal = await startLocalTemporal();
const api = await startInferenceApi();
try {
  const server = { address: temporal.address, namespace: temporal.namespace ?? 'default' };
  for (const scenario of scenarios.filter((s) => only.length === 0 || only.includes(s.name))) {
    const workflowId = recordedWorkflowId(scenario.name);
    const history = await withWorkerAt(
      server,
      scenario.activities({ apiUrl: api.url }),
      async ({ client, taskQueue }) => {
        const handle = await client.workflow.start(scenario.workflowType, {
          taskQueue,
          workflowId,
          args: [scenario.input],
        });
        const runId = scenario.drive ? await scenario.drive(client, handle) : undefined;
        await handle.result().catch(() => undefined); // failed runs are worth replaying too
        return client.workflow.getHandle(workflowId, runId).fetchHistory();
      },
    );
    const json: unknown = JSON.parse(historyToJSON(history));
    // Re-recording an unchanged scenario would only pile up copies that replay the same way.
    const newest = kept.get(scenario.name)?.at(-1);
    if (newest && sameShape(json, await readRecordingJSON(scenario.name, newest))) {
      process.stdout.write(`unchanged ${scenario.name}: same events as ${newest}, nothing added\n`);
      continue;
    }
    const file = recordingName(json);
    await mkdir(recordingUrl(scenario.name), { recursive: true });
    // 'wx' fails if the file exists: a kept recording is never replaced.
    await writeFile(recordingUrl(scenario.name, file), `${JSON.stringify(json, null, 1)}\n`, { flag: 'wx' });
    process.stdout.write(`recorded ${scenario.name}/${file} (${history.events?.length ?? 0} events)\n`);
  }
} finally {
  await api.close();
  await temporal.teardown();
}

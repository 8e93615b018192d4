// Re-records test/histories/*.json from real runs on a fresh local dev server. Run it after an
// intended change to workflow logic (and put running logic changes behind patched()).
import { writeFile } from 'node:fs/promises';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import '../test/helpers/quiet-runtime.ts';
import { startInferenceApi } from '../stack/inference-api.ts';
import { startLocalTemporal } from '../stack/temporal.ts';
import { scenarios } from '../test/histories/scenarios.ts';
import { withWorkerAt } from '../test/helpers/worker.ts';

const only = process.argv.slice(2);
const temporal = await startLocalTemporal();
const api = await startInferenceApi();
try {
  const server = { address: temporal.address, namespace: temporal.namespace ?? 'default' };
  for (const scenario of scenarios.filter((s) => only.length === 0 || only.includes(s.name))) {
    const workflowId = `history-${scenario.name}`;
    const history = await withWorkerAt(server, scenario.activities({ apiUrl: api.url }), async ({ client, taskQueue }) => {
      const handle = await client.workflow.start(scenario.workflowType, { taskQueue, workflowId, args: [scenario.input] });
      await handle.result().catch(() => undefined); // failed runs are worth replaying too
      return handle.fetchHistory();
    });
    const file = new URL(`../test/histories/${scenario.name}.json`, import.meta.url);
    await writeFile(file, `${JSON.stringify(JSON.parse(historyToJSON(history)), null, 1)}\n`);
    process.stdout.write(`recorded ${scenario.name} (${history.events?.length ?? 0} events)\n`);
  }
} finally {
  await api.close();
  await temporal.teardown();
}

// Prebuilds the workflow bundle for production workers (`npm run build`), so they start without
// webpack and run exactly the code that was reviewed.
import { mkdir, writeFile } from 'node:fs/promises';
import { bundleWorkflowCode } from '@temporalio/worker';
import { failureConverterPath, workflowsPath } from './worker.ts';

const out = new URL('../dist/workflow-bundle.js', import.meta.url);
const { code } = await bundleWorkflowCode({ workflowsPath, failureConverterPath });
await mkdir(new URL('.', out), { recursive: true });
await writeFile(out, code);
process.stdout.write(`workflow bundle: ${out.pathname} (${(code.length / 1024).toFixed(0)} KiB)\n`);

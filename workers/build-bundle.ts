// Prebuilds the workflow bundle for production workers (`npm run build`), so they start without
// webpack and run exactly the code that was reviewed. Writes dist/workflow-bundle.js, or the path given
// (the worker image's build).
import { mkdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundleWorkflowCode } from '@temporalio/worker';
import { failureConverterPath, workflowsPath } from './worker.ts';

const out = process.argv[2]
  ? pathToFileURL(resolve(process.argv[2]))
  : new URL('../dist/workflow-bundle.js', import.meta.url);
const { code } = await bundleWorkflowCode({ workflowsPath, failureConverterPath });
await mkdir(new URL('.', out), { recursive: true });
await writeFile(out, code);
process.stdout.write(`workflow bundle: ${out.pathname} (${(code.length / 1024).toFixed(0)} KiB)\n`);

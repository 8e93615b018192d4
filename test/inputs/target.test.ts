// One service target: every workflow that acts on the service defaults to it, and its names are
// written out once, in workflows/shared/target.ts.
import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { inputSchemas } from '../../workflows/inputs.ts';
import { defaultsOf } from '../../workflows/shared/input.ts';
import { serviceTarget } from '../../workflows/shared/target.ts';

/** Each input field that names part of the target, whatever the workflow calls it. */
const targetFieldNames: Record<string, keyof typeof serviceTarget> = {
  namespace: 'namespace',
  targetNamespace: 'namespace',
  selector: 'selector',
  deployment: 'deployment',
  container: 'container',
  hpaName: 'hpaName',
  service: 'service',
  apiBaseUrl: 'apiBaseUrl',
  latencyQuery: 'latencyQuery',
  monitoringNamespace: 'monitoringNamespace',
};

describe('the service target', () => {
  it('is the default of every input field that names it', () => {
    let checked = 0;
    for (const [type, schema] of Object.entries(inputSchemas)) {
      const defaults = defaultsOf(schema) as Record<string, unknown>;
      for (const [field, part] of Object.entries(targetFieldNames)) {
        if (!(field in defaults)) continue;
        expect(defaults[field], `${type}.${field}`).toBe(serviceTarget[part]);
        checked += 1;
      }
      if ('namespaces' in defaults)
        expect(defaults.namespaces, `${type}.namespaces`).toEqual([serviceTarget.namespace]);
    }
    expect(checked).toBeGreaterThan(50);
  });

  it('is written out once in the workflows', async () => {
    const root = new URL('../../workflows/', import.meta.url);
    const files = (await readdir(root, { recursive: true })).filter((f) => f.endsWith('.ts'));
    // Not the monitoring namespace: 'monitoring' is also a backup component's name.
    const names = [
      serviceTarget.namespace,
      serviceTarget.deployment,
      serviceTarget.selector,
      serviceTarget.container,
      serviceTarget.hpaName,
      serviceTarget.service,
    ];
    const literals = [...new Set(names)].map((v) => `'${v}'`);
    const found: string[] = [];
    for (const file of files) {
      const source = await readFile(new URL(file, root), 'utf8');
      for (const literal of literals) if (source.includes(literal)) found.push(`${file}: ${literal}`);
    }
    expect(found.sort()).toEqual(literals.map((l) => `shared/target.ts: ${l}`).sort());
  });
});

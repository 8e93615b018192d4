// The README's input tables are the schemas' own: regenerated in memory, they must match the file.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { BEGIN, END, readmeUrl, renderInputTables, withInputTables } from '../../scripts/input-docs.ts';
import * as registered from '../../workflows/index.ts';
import { inputJsonSchemas, inputSchemas } from '../../workflows/inputs.ts';

describe('workflow input docs', () => {
  it('README.md holds the tables the schemas render (run `npm run docs:inputs` after changing a schema)', async () => {
    const readme = await readFile(readmeUrl, 'utf8');
    expect(readme).toContain(BEGIN);
    expect(readme).toContain(END);
    expect(withInputTables(readme)).toBe(readme);
  });

  it('has a schema, and so a table, for every workflow the worker registers', () => {
    expect(Object.keys(inputSchemas).sort()).toEqual(Object.keys(registered).sort());
    const tables = renderInputTables();
    for (const type of Object.keys(registered)) expect(tables, type).toContain(`\`${type}\``);
  });

  it('describes every field with its default and rule', () => {
    for (const [type, schema] of Object.entries(inputJsonSchemas())) {
      expect(schema, type).toMatchObject({ type: 'object', additionalProperties: false, title: `${type} input` });
      for (const [field, property] of Object.entries(schema.properties ?? {})) {
        const described = property as {
          description?: string;
          default?: unknown;
          rule?: string;
          anyOf?: { rule?: string }[];
        };
        expect(described.description, `${type}.${field}`).toMatch(/\w/);
        expect(described.default, `${type}.${field}`).not.toBeUndefined();
        expect(described.rule ?? described.anyOf?.find((p) => p.rule)?.rule, `${type}.${field}`).toMatch(
          /^(must|empty)/,
        );
      }
    }
  });

  it('refuses to write without the markers', () => {
    expect(() => withInputTables('# README\n')).toThrow(/markers/);
  });
});

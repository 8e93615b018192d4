// The schema the worker loads is exactly the vendored onnx.proto, so the two cannot drift apart.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { schemaFromProto, schemaPath } from './generate-onnx-schema.ts';

describe('onnx-schema.json', () => {
  it('is what onnx.proto generates (regenerate: node test/model/generate-onnx-schema.ts)', async () => {
    expect(JSON.parse(await readFile(schemaPath, 'utf8'))).toEqual(schemaFromProto());
  });
});

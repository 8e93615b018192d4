// Regenerates activities/model/onnx-schema.json from the vendored onnx.proto:
//   node test/model/generate-onnx-schema.ts
// The JSON (protobufjs's own reflection format) is what the worker loads: tsc copies imported JSON
// into dist/, while a .proto file next to the sources would not reach the production image.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

export const schemaPath = fileURLToPath(new URL('../../activities/model/onnx-schema.json', import.meta.url));
export const protoPath = fileURLToPath(new URL('../../activities/model/onnx.proto', import.meta.url));

export function schemaFromProto() {
  return {
    comment:
      'Generated from onnx.proto (ONNX v1.12.0; Copyright (c) ONNX Project Contributors; Apache-2.0) by test/model/generate-onnx-schema.ts. Do not edit.',
    ...protobuf.loadSync(protoPath).toJSON(),
  };
}

if (import.meta.main) writeFileSync(schemaPath, `${JSON.stringify(schemaFromProto(), null, 1)}\n`);

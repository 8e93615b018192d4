// Registers the product's custom search attributes on the namespace, so workflows can upsert them.
import type { Connection } from '@temporalio/client';
// @temporalio/proto is CommonJS; its namespace object is the default export under ESM.
import proto from '@temporalio/proto';
import { searchAttributes } from '../types/index.ts';

const { IndexedValueType } = proto.temporal.api.enums.v1;

/** Adds whichever of the product's search attributes the namespace lacks; a second call changes nothing. */
export async function ensureSearchAttributes(connection: Connection, namespace: string): Promise<string[]> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const missing = Object.values(searchAttributes).filter((key) => !(key.name in (existing.customAttributes ?? {})));
  if (missing.length === 0) return [];
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(missing.map((key) => [key.name, IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD])),
  });
  return missing.map((key) => key.name);
}

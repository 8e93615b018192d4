// What the worker and every client of the product convert payloads with: sealed by the payload key
// when one is configured (PNO_PAYLOAD_KEY), the SDK's defaults otherwise.
import type { DataConverter } from '@temporalio/common';
import type { BackupKey } from '../../activities/archive/keys.ts';
import { EncryptionCodec } from './encryption-codec.ts';

export interface PayloadKeys {
  current: BackupKey;
  retired: BackupKey[];
}

export function payloadCodec(keys: PayloadKeys): EncryptionCodec {
  return new EncryptionCodec(keys.current, keys.retired);
}

export function productDataConverter(keys: PayloadKeys | undefined): DataConverter {
  return keys ? { payloadCodecs: [payloadCodec(keys)] } : {};
}

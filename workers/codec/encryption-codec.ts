// The payload codec: every payload the worker and its clients send (workflow inputs and results,
// activity inputs, results and heartbeats, queries, updates, signals, memos) is sealed with
// AES-256-GCM before it reaches the server, so its history holds no report text, pod output or
// input value. The key id travels in the payload's metadata and is the cipher's associated data;
// keys rotated out still open what they sealed, as with the backups.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
// @temporalio/proto is CommonJS; its namespace object is the default export under ESM.
import proto from '@temporalio/proto';
import type { BackupKey } from '../../activities/archive/keys.ts';

const ProtoPayload = proto.temporal.api.common.v1.Payload;
export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

const text = (value: string) => new TextEncoder().encode(value);
const read = (value: Uint8Array | null | undefined) => (value ? new TextDecoder().decode(value) : undefined);

export class PayloadDecryptionError extends Error {
  override name = 'PayloadDecryptionError';
}

export class EncryptionCodec implements PayloadCodec {
  readonly #current: BackupKey;
  readonly #byId: Map<string, BackupKey>;

  constructor(current: BackupKey, retired: BackupKey[] = []) {
    this.#current = current;
    this.#byId = new Map([...retired, current].map((key) => [key.id, key]));
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const key = this.#current;
      const nonce = randomBytes(NONCE_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key.material(), nonce).setAAD(text(key.id));
      const plain = ProtoPayload.encode(payload).finish();
      const sealed = Buffer.concat([nonce, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return { metadata: { encoding: text(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: text(key.id) }, data: sealed };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      // Payloads written before the codec was on stay readable as they are.
      if (read(payload.metadata?.encoding) !== ENCRYPTED_ENCODING) return payload;
      const id = read(payload.metadata?.[KEY_ID_METADATA]) ?? '';
      const key = this.#byId.get(id);
      if (!key) throw new PayloadDecryptionError(`payload sealed with key ${id}, which is not in this keyring`);
      const sealed = Buffer.from(payload.data ?? new Uint8Array());
      if (sealed.length < NONCE_BYTES + TAG_BYTES) throw new PayloadDecryptionError('sealed payload is truncated');
      const decipher = createDecipheriv('aes-256-gcm', key.material(), sealed.subarray(0, NONCE_BYTES))
        .setAAD(text(id))
        .setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
      let plain: Buffer;
      try {
        plain = Buffer.concat([
          decipher.update(sealed.subarray(NONCE_BYTES, sealed.length - TAG_BYTES)),
          decipher.final(),
        ]);
      } catch {
        throw new PayloadDecryptionError(`sealed payload (key ${id}) failed authentication: altered or corrupt`);
      }
      // A plain object, as the SDK's own payloads are (not the protobuf class).
      const { metadata, data } = ProtoPayload.decode(plain);
      return { metadata, data };
    });
  }
}

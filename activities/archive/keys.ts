// The backup key: 32 random bytes from PNO_BACKUP_KEY (base64) or PNO_BACKUP_KEY_FILE (base64 text
// or the raw 32 bytes), and the keys rotated out, still read (PNO_BACKUP_RETIRED_KEYS_FILE). Only a
// key's id (first 16 hex of its SHA-256) is ever shown, stored or logged.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';

export const KEY_BYTES = 32;

export class BackupKey {
  readonly id: string;
  readonly #bytes: Buffer;

  constructor(bytes: Uint8Array) {
    if (bytes.length !== KEY_BYTES) throw new Error(`backup key must be ${KEY_BYTES} bytes (got ${bytes.length})`);
    this.#bytes = Buffer.from(bytes);
    this.id = createHash('sha256').update(this.#bytes).digest('hex').slice(0, 16);
  }

  /** The AES-256 key, for the cipher only. */
  material(): Buffer {
    return this.#bytes;
  }

  // Serialising or logging the key by mistake shows its id, never its bytes.
  toJSON() {
    return { keyId: this.id };
  }

  [inspect.custom]() {
    return `BackupKey(${this.id})`;
  }
}

export class BackupKeyError extends Error {
  override name = 'BackupKeyError';
}

const base64Key = /^[A-Za-z0-9+/]{43}=$|^[A-Za-z0-9_-]{43}$/;

function decode(variable: string, text: string): BackupKey {
  const trimmed = text.trim();
  if (!base64Key.test(trimmed)) {
    throw new BackupKeyError(
      `${variable}: must be the base64 of ${KEY_BYTES} random bytes (e.g. \`openssl rand -base64 32\`)`,
    );
  }
  // Node's base64 decoder reads both alphabets.
  return new BackupKey(Buffer.from(trimmed, 'base64'));
}

/**
 * Loads the key named by the environment, or undefined when neither variable is set. Errors name the
 * variable and never include its value. `name` is the inline variable; `<name>_FILE` the file one.
 */
export function loadBackupKey(env: NodeJS.ProcessEnv, name = 'PNO_BACKUP_KEY'): BackupKey | undefined {
  const fileVariable = `${name}_FILE`;
  const inline = env[name]?.trim() || undefined;
  const file = env[fileVariable]?.trim() || undefined;
  if (inline && file) throw new BackupKeyError(`${name} and ${fileVariable}: set one, not both`);
  if (inline) return decode(name, inline);
  if (!file) return undefined;
  return readKeyFile(file, fileVariable);
}

/** The key in `file`: its raw 32 bytes (a mounted Secret) or their base64 text. Errors start with `label`. */
export function readKeyFile(file: string, label: string): BackupKey {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new BackupKeyError(`${label}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (bytes.length === KEY_BYTES) return new BackupKey(bytes);
  return decode(label, bytes.toString('latin1'));
}

/**
 * Keys rotated out, from the file `variable` names (PNO_BACKUP_RETIRED_KEYS_FILE): one base64 key per
 * line (`#` comments and blank lines allowed). What they sealed stays readable; nothing new is sealed with them.
 */
export function loadRetiredKeys(env: NodeJS.ProcessEnv, variable = 'PNO_BACKUP_RETIRED_KEYS_FILE'): BackupKey[] {
  const file = env[variable]?.trim() || undefined;
  if (!file) return [];
  let text: string;
  try {
    text = readFileSync(file, 'latin1');
  } catch (err) {
    throw new BackupKeyError(`${variable}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return text
    .split('\n')
    .map((line, i) => ({ line: line.trim(), number: i + 1 }))
    .filter(({ line }) => line !== '' && !line.startsWith('#'))
    .map(({ line, number }) => decode(`${variable} line ${number}`, line));
}

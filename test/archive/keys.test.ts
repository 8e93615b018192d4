// Loading the backup key: both sources, clear errors naming the variable, and no way to print it.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { BackupKey, BackupKeyError, loadBackupKey } from '../../activities/archive/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'pno-keys-'));
const bytes = randomBytes(32);
const expectedId = createHash('sha256').update(bytes).digest('hex').slice(0, 16);
const fileWith = (name: string, content: string | Buffer) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
const errorOf = (env: NodeJS.ProcessEnv) => {
  try {
    loadBackupKey(env);
  } catch (err) {
    expect(err).toBeInstanceOf(BackupKeyError);
    return (err as Error).message;
  }
  throw new Error('expected loadBackupKey to fail');
};

describe('loadBackupKey', () => {
  it('is undefined when neither variable is set', () => {
    expect(loadBackupKey({})).toBeUndefined();
    expect(loadBackupKey({ PNO_BACKUP_KEY: '  ' })).toBeUndefined();
  });

  it('reads PNO_BACKUP_KEY as base64 (either alphabet); the id is the first 16 hex of its SHA-256', () => {
    expect(loadBackupKey({ PNO_BACKUP_KEY: bytes.toString('base64') })?.id).toBe(expectedId);
    expect(loadBackupKey({ PNO_BACKUP_KEY: bytes.toString('base64url') })?.id).toBe(expectedId);
    expect(loadBackupKey({ PNO_BACKUP_KEY: bytes.toString('base64') })?.material()).toEqual(bytes);
  });

  it('reads PNO_BACKUP_KEY_FILE as base64 text or as the raw 32 bytes', () => {
    expect(loadBackupKey({ PNO_BACKUP_KEY_FILE: fileWith('text', `${bytes.toString('base64')}\n`) })?.id).toBe(
      expectedId,
    );
    expect(loadBackupKey({ PNO_BACKUP_KEY_FILE: fileWith('raw', bytes) })?.id).toBe(expectedId);
  });

  it('names the variable for bad values and never echoes them', () => {
    const short = randomBytes(16).toString('base64');
    const message = errorOf({ PNO_BACKUP_KEY: short });
    expect(message).toMatch(/^PNO_BACKUP_KEY: must be the base64 of 32 random bytes/);
    expect(message).not.toContain(short);
    expect(errorOf({ PNO_BACKUP_KEY: 'not base64 at all!' })).toMatch(/^PNO_BACKUP_KEY:/);
    expect(errorOf({ PNO_BACKUP_KEY_FILE: fileWith('bad', 'hello') })).toMatch(
      /^PNO_BACKUP_KEY_FILE: must be the base64/,
    );
    expect(errorOf({ PNO_BACKUP_KEY_FILE: join(dir, 'missing') })).toMatch(
      /^PNO_BACKUP_KEY_FILE: cannot read .*missing \(ENOENT\)/,
    );
    expect(errorOf({ PNO_BACKUP_KEY: bytes.toString('base64'), PNO_BACKUP_KEY_FILE: fileWith('both', bytes) })).toMatch(
      /PNO_BACKUP_KEY and PNO_BACKUP_KEY_FILE: set one, not both/,
    );
  });

  it('shows only the key id when serialised or inspected', () => {
    const key = new BackupKey(bytes);
    const shown = [
      JSON.stringify({ key }),
      inspect(key),
      inspect({ nested: { key } }),
      String(JSON.stringify([key])),
    ].join('\n');
    expect(shown).toContain(expectedId);
    // base64, hex, and how JSON would list a Buffer's bytes.
    for (const form of [bytes.toString('base64'), bytes.toString('hex'), [...bytes].slice(0, 6).join(',')]) {
      expect(shown).not.toContain(form);
    }
  });

  it('refuses key material of the wrong length', () => {
    expect(() => new BackupKey(randomBytes(31))).toThrow(/32 bytes \(got 31\)/);
  });
});

// Object keys: a pure function of prefix and workflow id, one key per id, never escaping the prefix.
import { describe, expect, it } from 'vitest';
import { isBackupKey } from '../../activities/storage/object-keys.ts';
import { normalizePrefix, objectKeyFor } from '../../activities/storage/index.ts';

describe('objectKeyFor', () => {
  it('is deterministic and keeps readable ids readable', () => {
    expect(objectKeyFor('pno/backups', 'backup-2025-01-01T00:00:00Z')).toBe(
      'pno/backups/backup-2025-01-01T00:00:00Z.tar.gz.enc',
    );
    expect(objectKeyFor('/pno/backups/', 'x')).toBe(objectKeyFor('pno/backups', 'x'));
  });

  it('gives distinct ids distinct keys, directly under the prefix', () => {
    const ids = ['a/b', 'a%2Fb', 'a_b', 'a b', '../../etc', 'é', 'a%b'];
    const keys = ids.map((id) => objectKeyFor('pno/backups', id));
    expect(new Set(keys).size).toBe(ids.length);
    for (const key of keys) expect(isBackupKey('pno/backups/', key)).toBe(true);
  });

  it('refuses an empty id and prefixes that are empty or climb', () => {
    expect(() => objectKeyFor('pno/backups', '')).toThrow(/workflowId: must not be empty/);
    for (const prefix of ['', '/', 'a//b', 'a/../b', './a']) expect(() => normalizePrefix(prefix)).toThrow(/^prefix:/);
  });
});

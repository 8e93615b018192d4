// `pno backup decrypt` as an operator runs it, a process: the committed v1 object becomes a .tar.gz
// that tar reads; a wrong key, an altered or a truncated object exits 1 and leaves no file; a usage
// mistake exits 2 naming the argument.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readdir, readFile, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { BackupKey } from '../../activities/archive/keys.ts';

const run = promisify(execFile);
const pno = fileURLToPath(new URL('../../cli/pno.ts', import.meta.url));
const fixture = fileURLToPath(new URL('../fixtures/archive/backup-v1.tar.gz.enc', import.meta.url));
const fixtureV2 = fileURLToPath(new URL('../fixtures/archive/backup-v2.enc', import.meta.url));
const piecesV2 = fileURLToPath(new URL('../fixtures/archive/pieces-v2', import.meta.url));
const keyFile = fileURLToPath(new URL('../fixtures/archive/test-only-key.not-secret.b64', import.meta.url));

async function pnoRun(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [pno, ...args], { encoding: 'utf8' });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('pno backup decrypt', () => {
  it('turns the committed v1 object into a .tar.gz that tar lists, manifest.json last', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pno-decrypt-'));
    const out = join(dir, 'backup.tar.gz');
    // A retired key first: the object's key id picks the one that opens it.
    const other = join(dir, 'other.key');
    await writeFile(other, randomBytes(32).toString('base64'));
    const done = await pnoRun(['backup', 'decrypt', fixture, '--key-file', other, '--key-file', keyFile, '-o', out]);
    expect(done.code, done.stderr).toBe(0);
    expect(done.stderr).toMatch(/^decrypted .* \(format v1, key 33abdc7fec607abf\): \d+ bytes of tar\.gz\n$/);
    const listing = (await run('tar', ['-tzf', out], { encoding: 'utf8' })).stdout.trim().split('\n');
    expect(listing).toContain('models/pno_model.onnx');
    expect(listing).toContain('database/dump.sql');
    expect(listing.at(-1)).toBe('manifest.json');
    // Without -o the same bytes go to stdout.
    const piped = await run(process.execPath, [pno, 'backup', 'decrypt', fixture, '--key-file', keyFile], {
      encoding: 'buffer',
      maxBuffer: 1 << 20,
    });
    expect(Buffer.compare(piped.stdout, await readFile(out))).toBe(0);
  });

  it('turns the committed v2 object and its pieces into a plain tar of every file; without --pieces, the .tar.zst it seals', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pno-decrypt-'));
    const out = join(dir, 'backup.tar');
    const done = await pnoRun(['backup', 'decrypt', fixtureV2, '--key-file', keyFile, '--pieces', piecesV2, '-o', out]);
    expect(done.code, done.stderr).toBe(0);
    expect(done.stderr).toMatch(/^decrypted .* \(format v2, key 33abdc7fec607abf\): \d+ bytes of tar\n$/);
    const listing = (await run('tar', ['-tf', out], { encoding: 'utf8' })).stdout.trim().split('\n');
    expect(listing).toContain('models/spectral_weights.txt');
    expect(listing).toContain('database/dump.sql');
    expect(listing.at(-1)).toBe('manifest.json');
    const model = (
      await run('tar', ['-xOf', out, 'models/spectral_weights.txt'], { encoding: 'buffer', maxBuffer: 4 << 20 })
    ).stdout;
    expect(model.length).toBe(1310720);

    const small = join(dir, 'small.tar.zst');
    const sealedOnly = await pnoRun(['backup', 'decrypt', fixtureV2, '--key-file', keyFile, '-o', small]);
    expect(sealedOnly.stderr).toMatch(/bytes of tar\.zst\n$/);
    const inTar = (await run('tar', ['--zstd', '-tf', small], { encoding: 'utf8' })).stdout.trim().split('\n');
    expect(inTar).not.toContain('models/spectral_weights.txt');
    expect(inTar.at(-1)).toBe('manifest.json');

    // A missing piece, or --pieces for a v1 object: exit 1, no file.
    const empty = join(dir, 'no-pieces');
    await mkdir(empty);
    for (const [object, pieces, says] of [
      [fixtureV2, empty, 'cannot read piece (ENOENT)'],
      [fixture, piecesV2, 'format v1, which keeps every file in its tar'],
    ] as const) {
      const failed = await pnoRun([
        'backup',
        'decrypt',
        object,
        '--key-file',
        keyFile,
        '--pieces',
        pieces,
        '-o',
        join(dir, 'x.tar'),
      ]);
      expect(failed.code).toBe(1);
      expect(failed.stderr).toContain(says);
    }
    expect((await readdir(dir)).filter((f) => f.startsWith('x.tar'))).toEqual([]);
  });

  it('exits 1 and leaves no file for a wrong key, an altered byte or a cut-short object', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pno-decrypt-'));
    const wrongKey = new BackupKey(randomBytes(32));
    const wrong = join(dir, 'wrong.key');
    await writeFile(wrong, wrongKey.material().toString('base64'));
    const altered = join(dir, 'altered.enc');
    const bytes = await readFile(fixture);
    bytes[2000] = bytes[2000]! ^ 0x01;
    await writeFile(altered, bytes);
    const cut = join(dir, 'cut.enc');
    await copyFile(fixture, cut);
    await truncate(cut, (await readFile(fixture)).length - 40);

    const cases = [
      { object: fixture, key: wrong, says: `is sealed with key 33abdc7fec607abf; the key files hold ${wrongKey.id}` },
      { object: altered, key: keyFile, says: 'failed authentication' },
      { object: cut, key: keyFile, says: 'failed authentication at chunk' },
    ];
    for (const [i, c] of cases.entries()) {
      const out = join(dir, `out-${i}.tar.gz`);
      const result = await pnoRun(['backup', 'decrypt', c.object, '--key-file', c.key, '-o', out]);
      expect(result.code, c.object).toBe(1);
      expect(result.stderr).toContain(c.says);
    }
    expect((await readdir(dir)).filter((f) => f.startsWith('out-'))).toEqual([]);
  });

  it('never writes through a file or symlink already at <out>.partial', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pno-decrypt-'));
    const target = join(dir, 'elsewhere');
    await writeFile(target, 'untouched');
    const out = join(dir, 'backup.tar.gz');
    await symlink(target, `${out}.partial`);
    const result = await pnoRun(['backup', 'decrypt', fixture, '--key-file', keyFile, '-o', out]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('.partial: cannot create (EEXIST)');
    expect(await readFile(target, 'utf8')).toBe('untouched');
    expect((await readdir(dir)).sort()).toEqual(['backup.tar.gz.partial', 'elsewhere']);
  });

  it.each([
    [[], 0, 'usage:'],
    [['frobnicate'], 2, 'unknown command "frobnicate"'],
    [['restore'], 2, 'unknown restore command ""'],
    [['backup'], 2, 'unknown backup command ""'],
    [['backup', 'decrypt'], 2, '<object>: name the backup object file'],
    [['backup', 'decrypt', 'x.enc'], 2, '--key-file: name the file holding the backup key'],
    [['backup', 'decrypt', 'x.enc', '--key-file', 'k', '--force'], 2, "Unknown option '--force'"],
    [['backup', 'decrypt', '/nonexistent.enc', '--key-file', keyFile], 1, '/nonexistent.enc: cannot read (ENOENT)'],
  ])('%j exits %i saying %j', async (args, code, says) => {
    const result = await pnoRun(args as string[]);
    expect(result.code).toBe(code);
    expect(code === 0 ? result.stdout : result.stderr).toContain(says);
  });
});

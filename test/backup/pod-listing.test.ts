// The pod listing's parser, fed what GNU find and stat print for a real directory (the pods' busybox
// prints the same format; the real-node backup test runs that one), and hostile lines a pod could send.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseListing } from '../../activities/backup/pod-listing.ts';

const run = promisify(execFile);
const FORMAT = '%F|%s|%d|%i|%y|%z|%n';
const list = async (dir: string) =>
  (await run('find', [dir, '!', '-type', 'd', '-exec', 'stat', '-c', FORMAT, '{}', '+'])).stdout;
const later = () => Date.now() + 60_000;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pno-listing-'));
  await mkdir(join(dir, 'weights'));
  await writeFile(join(dir, 'weights/a.bin'), Buffer.alloc(3000, 1));
  await writeFile(join(dir, 'config|v2.json'), '{}');
  await writeFile(join(dir, 'empty'), '');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('the pod listing', () => {
  it('gives each regular file its size and a token naming device, inode, size and both times', async () => {
    const files = parseListing(await list(dir), dir, later());
    expect([...files!.keys()].sort()).toEqual(['config|v2.json', 'empty', 'weights/a.bin']);
    expect(files!.get('weights/a.bin')!.size).toBe(3000);
    expect(files!.get('weights/a.bin')!.changeToken).toMatch(
      /^pod:\d+:\d+:3000:\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{9} [+-]\d{4}:\d{4}-.+$/,
    );
    // A trailing slash on the directory lists the same names.
    expect([...parseListing(await list(dir), `${dir}/`, later())!.keys()].sort()).toEqual([...files!.keys()].sort());
  });

  it('gives a file replaced since another token, and one changed within the margin none', async () => {
    const before = parseListing(await list(dir), dir, later())!.get('weights/a.bin')!.changeToken;
    await writeFile(join(dir, 'weights/a.new'), Buffer.alloc(3000, 2));
    await rename(join(dir, 'weights/a.new'), join(dir, 'weights/a.bin'));
    const after = parseListing(await list(dir), dir, later())!.get('weights/a.bin')!.changeToken;
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
    expect(parseListing(await list(dir), dir, Date.now())!.get('weights/a.bin')!.changeToken).toBeUndefined();
  });

  it('is unusable when the directory holds a link', async () => {
    await symlink('weights/a.bin', join(dir, 'link'));
    expect(parseListing(await list(dir), dir, later())).toBeUndefined();
  });

  it('refuses lines a pod could forge or cut short', () => {
    const time = '2026-01-01 00:00:00.000000000 +0000';
    const line = (name: string) => `regular file|5|1|2|${time}|${time}|${name}\n`;
    expect(parseListing(line('/models/a'), '/models', later())!.get('a')).toBeDefined();
    for (const bad of [
      line('/elsewhere/a'),
      line('/models/../etc/passwd'),
      line('/models/a') + line('/models/a'),
      line('/models/a') + '… 12 more bytes\n',
      `regular file|5|1|2|yesterday|${time}|/models/a\n`,
      `regular file|-5|1|2|${time}|${time}|/models/a\n`,
      `fifo|0|1|2|${time}|${time}|/models/a\n`,
    ])
      expect(parseListing(bad, '/models', later()), bad).toBeUndefined();
  });
});

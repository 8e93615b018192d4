// What a command's output leaves in history: length and hash of all of it, and a short tail with
// credentials blanked, cut only at whole lines.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { outputSummarizer, redact, redactArguments, TAIL_CHARS } from '../../activities/kubernetes/output-summary.ts';

async function summarize(...chunks: (string | Buffer)[]) {
  const { sink, summary } = outputSummarizer();
  for (const chunk of chunks) await new Promise<void>((done) => sink.write(chunk, () => done()));
  return summary();
}

describe('redact', () => {
  it.each([
    ['AWS_SECRET_ACCESS_KEY=abc/def+ghi', 'AWS_SECRET_ACCESS_KEY=[redacted]'],
    ['PGPASSWORD=hunter2', 'PGPASSWORD=[redacted]'],
    ['db_password: "x y" next', 'db_password: [redacted] next'],
    ['api-key: 12345', 'api-key: [redacted]'],
    ['curl -H "Authorization: Bearer abc.def"', 'curl -H "Authorization: [redacted]'],
    ['{"password": "hunter2", "user": "pno"}', '{"password": [redacted], "user": "pno"}'],
    ['DB_PASSWORD=correct horse battery', 'DB_PASSWORD=[redacted]'],
    ['MYSQL_PWD=s3 and SIGNING_KEY=k', 'MYSQL_PWD=[redacted]'],
    ['redis://:hunter2@cache:6379', 'redis://:[redacted]@cache:6379'],
    ['token 0b4c3b5e-1c8a-4f2c-9d7e-0a1b2c3d4e5f', 'token [redacted]'],
    ['Basic dXNlcjpwYXNz', 'Basic [redacted]'],
    ['postgres://pno:s3cret@db:5432/pno', 'postgres://pno:[redacted]@db:5432/pno'],
    ['eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln', '[redacted]'],
    ['-----BEGIN PRIVATE KEY-----\nMIIE\nabc\n-----END PRIVATE KEY-----\nafter', '[redacted]\nafter'],
    [`value ${'a1'.repeat(20)} end`, 'value [redacted] end'],
    ['rotated 3 files, 0 errors', 'rotated 3 files, 0 errors'],
    ['written by pno-physics-bench-7bf67895cc-gjbml', 'written by pno-physics-bench-7bf67895cc-gjbml'],
    [`id ${'a'.repeat(40)}-b`, 'id [redacted]'],
    [`url-safe ${'Ab_9'.repeat(10)}`, 'url-safe [redacted]'],
    ['key /Ab3+Zx9Qw/Rt5Uy7Io1Pa2Sd4Fg6Hj8K=', 'key [redacted]'],
    [
      `4:memory:/kubepods/besteffort/pod0b4c3b5e-1c8a-4f2c-9d7e-0a1b2c3d/${'f0'.repeat(32)}`,
      '4:memory:/kubepods/besteffort/pod0b4c3b5e-1c8a-4f2c-9d7e-0a1b2c3d/[redacted]',
    ],
  ])('%j → %j', (text, expected) => expect(redact(text)).toBe(expected));
});

describe('redactArguments', () => {
  it('blanks the value after a secret-named flag, and redacts each argument', () => {
    expect(redactArguments(['mysql', '--password', 'hunter2', '-u', 'pno', '--token=abc'])).toEqual([
      'mysql',
      '--password',
      '[redacted]',
      '-u',
      'pno',
      '--token=[redacted]',
    ]);
    expect(redactArguments(['logrotate', '-f', '/etc/logrotate.conf'])).toEqual([
      'logrotate',
      '-f',
      '/etc/logrotate.conf',
    ]);
  });
});

describe('outputSummarizer', () => {
  it('hashes and counts everything, and keeps the last whole lines within the limit', async () => {
    const lines = Array.from({ length: 2000 }, (_, i) => `line ${i}`);
    const text = `${lines.join('\n')}\n`;
    const summary = await summarize(text.slice(0, 5000), text.slice(5000));
    expect(summary.bytes).toBe(Buffer.byteLength(text));
    expect(summary.sha256).toBe(createHash('sha256').update(text).digest('hex'));
    expect(summary.tail.length).toBeLessThanOrEqual(TAIL_CHARS);
    expect(summary.tail.endsWith('line 1999')).toBe(true);
    expect(summary.tail.split('\n').every((l) => /^line \d+$/.test(l))).toBe(true);
  });

  it('drops the cut first line of what it kept, so the end of an earlier secret never shows', async () => {
    // The kept end starts inside the first line, after "note abc"; the blob between redacts to a few chars.
    const output = `note abc s3cr3t\n${'A'.repeat(16_370)}\nlast\n`;
    expect(Buffer.byteLength(output) - 16 * 1024).toBe(8);
    const summary = await summarize(output);
    expect(summary.tail).toBe('[redacted]\nlast');
  });

  it('shows the end of one very long line, marked as cut', async () => {
    const summary = await summarize(`${'word '.repeat(500)}end`);
    expect(summary.tail.length).toBe(TAIL_CHARS);
    expect(summary.tail.startsWith('…')).toBe(true);
    expect(summary.tail.endsWith('word end')).toBe(true);
  });

  it('summarizes nothing as nothing', async () => {
    expect(await summarize()).toEqual({
      bytes: 0,
      sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      tail: '',
    });
  });
});

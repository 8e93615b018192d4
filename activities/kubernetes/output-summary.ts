// What a command's output may leave in workflow history: its size, its hash and a short tail with
// anything that looks like a credential blanked. The output itself never leaves the worker, so a
// command that prints the environment or a token does not put it in history.
import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import type { OutputSummary } from '../../types/index.ts';

export const TAIL_CHARS = 400;
/** Kept before redaction: enough that a long secret near the end is seen whole, not cut. */
const KEPT_BYTES = 16 * 1024;

/** A sink that hashes and counts everything written to it and keeps only its end. */
export function outputSummarizer() {
  const hash = createHash('sha256');
  let bytes = 0;
  let end = Buffer.alloc(0);
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      bytes += chunk.length;
      end = Buffer.concat([end, chunk]).subarray(-KEPT_BYTES);
      done();
    },
  });
  return {
    sink,
    summary: (): OutputSummary => ({ bytes, sha256: hash.digest('hex'), tail: tailOf(end, bytes > end.length) }),
  };
}

function tailOf(end: Buffer, cut: boolean): string {
  let text = end.toString('utf8');
  // A line cut at the front could be the end of a secret too short to recognise: drop it.
  if (cut) text = text.slice(text.indexOf('\n') + 1);
  const kept: string[] = [];
  let length = 0;
  for (const line of redact(text.replace(/\n+$/, '')).split('\n').reverse()) {
    if (length + line.length + 1 > TAIL_CHARS) {
      if (kept.length === 0) kept.push(`…${line.slice(-(TAIL_CHARS - 1))}`);
      break;
    }
    kept.push(line);
    length += line.length + 1;
  }
  return kept.reverse().join('\n');
}

const REDACTED = '[redacted]';

/** Patterns of credentials in command output, most specific first. */
const credentialPatterns: [RegExp, string][] = [
  [/-----BEGIN [A-Z0-9 ]+-----[\s\S]*?(?:-----END [A-Z0-9 ]+-----|$)/g, REDACTED],
  // JWTs (ServiceAccount tokens among them).
  [/eyJ[\w-]*\.[\w-]*\.?[\w-]*/g, REDACTED],
  [/\b(bearer|basic)\s+\S+/gi, `$1 ${REDACTED}`],
  // NAME=value, name: value and "name": "value" where the name says what it is (PGPASSWORD, MYSQL_PWD,
  // AWS_SECRET_ACCESS_KEY, SIGNING_KEY…): a quoted value whole, an unquoted one to the end of the line.
  [
    /\b([\w.-]*(?:pass(?:word|wd)?|pwd|secret|token|key|credential|auth)[\w.-]*)(["']?\s*[=:]\s*)(?:"[^"\n]*"|'[^'\n]*'|[^\n]+)/gi,
    `$1$2${REDACTED}`,
  ],
  // Credentials in URLs: scheme://user:password@host, the user possibly empty (redis://:password@host).
  [/(\/\/[^/\s:@]*:)[^@\s]+@/g, `$1${REDACTED}@`],
];

/** A long opaque run: keys, base64 blobs, hex secrets. */
const OPAQUE_RUN = /[A-Za-z0-9+/_-]{32,}={0,2}/g;
/** Kubernetes and host names (`pno-physics-bench-7bf67895cc-gjbml`): lowercase words joined by dashes. */
const DASHED_NAME = /^[a-z0-9]{1,19}(-[a-z0-9]{1,19})+$/;
const UUID = /^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$/;

export function redact(text: string): string {
  const named = credentialPatterns.reduce((out, [pattern, replacement]) => out.replace(pattern, replacement), text);
  // A UUID-shaped run is dashed too, but as likely an API token as a name: it goes.
  const opaque = (part: string) => part.length >= 32 && (!DASHED_NAME.test(part) || UUID.test(part));
  return named.replace(OPAQUE_RUN, (run) => {
    // A path of lowercase parts (`/kubepods/besteffort/pod…/<container id>`) keeps its readable parts;
    // anything else this long (a base64 key may start with `/` too) goes whole.
    const parts = run.split('/');
    const readable = run.startsWith('/') && parts.every((part) => opaque(part) || /^[a-z0-9_-]*$/.test(part));
    if (readable) return parts.map((part) => (opaque(part) ? REDACTED : part)).join('/');
    return opaque(run) ? REDACTED : run;
  });
}

/** A command's arguments as a result may show them: each redacted, and the value after a secret-named flag blanked. */
export function redactArguments(argv: string[]): string[] {
  return argv.map((arg, i) =>
    i > 0 && /^-.*(pass|pwd|secret|token|key)/i.test(argv[i - 1]!) ? REDACTED : redact(arg),
  );
}

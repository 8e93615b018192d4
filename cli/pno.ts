#!/usr/bin/env node
// `pno`: the operator's command line (`./ops pno …` in a checkout). For now: `backup decrypt`, which
// turns a backup object into the plain .tar.gz it seals, with nothing but the key file, so a person
// can restore by hand with tar when the product is down (docs/backup-format.md says how it works).
import { parseArgs } from 'node:util';
import { decryptBackupFile, DecryptError } from './backup-decrypt.ts';

export const usage = `usage:
  pno backup decrypt <object> --key-file <file> [--key-file <file>…] [-o <out.tar.gz>]
      Writes the plain .tar.gz a backup object seals (to stdout without -o). Each --key-file holds a
      base64 key (a retired one too); the object's key id picks the one that opens it.`;

export class UsageError extends Error {
  override name = 'UsageError';
}

interface DecryptCommand {
  name: 'backup decrypt';
  object: string;
  keyFiles: string[];
  out?: string;
}

export function parseCommand(argv: string[]): DecryptCommand | { name: 'help' } {
  if (argv.length === 0 || argv[0] === 'help' || argv[0] === '--help') return { name: 'help' };
  const [group, verb, ...rest] = argv;
  if (group !== 'backup') throw new UsageError(`unknown command ${JSON.stringify(group)} (try: pno backup decrypt)`);
  if (verb !== 'decrypt') throw new UsageError(`unknown backup command ${JSON.stringify(verb ?? '')} (try: decrypt)`);
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      options: { 'key-file': { type: 'string', multiple: true }, out: { type: 'string', short: 'o' } },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const [object, ...extra] = parsed.positionals;
  if (!object) throw new UsageError('<object>: name the backup object file to decrypt');
  if (extra.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(extra[0])}`);
  const keyFiles = parsed.values['key-file'] ?? [];
  if (keyFiles.length === 0) throw new UsageError('--key-file: name the file holding the backup key');
  return { name: 'backup decrypt', object, keyFiles, ...(parsed.values.out ? { out: parsed.values.out } : {}) };
}

/** Exit codes: 0 done, 1 the object could not be opened, 2 a usage mistake. */
export async function main(argv: string[]): Promise<number> {
  let command;
  try {
    command = parseCommand(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`pno: ${err.message}\n\n${usage}\n`);
    return 2;
  }
  if (command.name === 'help') {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  try {
    const done = await decryptBackupFile(command.object, command.keyFiles, command.out);
    process.stderr.write(
      `decrypted ${command.object} (format v${done.version}, key ${done.keyId}): ${done.bytes} bytes of tar.gz\n`,
    );
    return 0;
  } catch (err) {
    if (!(err instanceof DecryptError)) throw err;
    process.stderr.write(`pno: ${err.message}\n`);
    return 1;
  }
}

if (import.meta.main) process.exitCode = await main(process.argv.slice(2));

// Counts and hashes bytes as they pass, so the writer and the reader learn each entry's size and
// SHA-256 without a second read.
import { createHash } from 'node:crypto';

export class EntryDigest {
  readonly #hash = createHash('sha256');
  bytes = 0;

  update(chunk: Uint8Array): void {
    this.#hash.update(chunk);
    this.bytes += chunk.length;
  }

  hex(): string {
    return this.#hash.digest('hex');
  }
}

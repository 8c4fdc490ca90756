import { readFileSync } from 'node:fs';
import { TokenFileError } from './errors.js';

/**
 * A bearer token kept in a file that rotates (a projected service-account token is refreshed by
 * the kubelet well before it expires). Re-read on demand and when older than `maxAgeMs`.
 */
export class TokenFile {
  #token: string | undefined;
  #readAt = Number.NEGATIVE_INFINITY;

  constructor(
    readonly path: string,
    readonly maxAgeMs: number,
    private readonly now: () => number,
  ) {}

  /** The current token, re-read first when it is older than `maxAgeMs`. */
  current(): { token: string; changed: boolean } {
    if (this.#token === undefined || this.now() - this.#readAt >= this.maxAgeMs) {
      return this.reload();
    }
    return { token: this.#token, changed: false };
  }

  /** Reads the file now; `changed` tells whether the token differs from the one held. */
  reload(): { token: string; changed: boolean } {
    let token: string;
    try {
      token = readFileSync(this.path, 'utf8').trim();
    } catch (err) {
      throw new TokenFileError(this.path, { cause: err });
    }
    if (token.length === 0) throw new TokenFileError(this.path, { cause: new Error('empty file') });
    const changed = this.#token !== undefined && token !== this.#token;
    this.#token = token;
    this.#readAt = this.now();
    return { token, changed };
  }
}

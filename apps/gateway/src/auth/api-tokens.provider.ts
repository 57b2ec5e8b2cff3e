import { timingSafeEqual } from 'node:crypto';
import { type ApiTokenEntry, hashApiToken, readApiTokens } from '@prov/config';
import type { Caller } from './caller';

/**
 * The machines' tokens from API_TOKENS, known by their SHA-256 only: a copy of the configuration
 * lets nobody call the API. The token's name is the actor of what it does.
 */
export class ApiTokens {
  /** Each entry with its digest as bytes, decoded once rather than on every request. */
  private readonly entries: { entry: ApiTokenEntry; digest: Buffer }[];

  constructor(entries: Iterable<ApiTokenEntry>) {
    this.entries = [...entries].map((entry) => ({ entry, digest: Buffer.from(entry.sha256, 'hex') }));
  }

  /** The caller a presented token stands for, or undefined; compares every entry in constant time. */
  callerOf(presented: string): Caller | undefined {
    return this.callerOfDigest(hashApiToken(presented));
  }

  /** The same by the token's SHA-256 (hex), when the request's digest is known already. */
  callerOfDigest(sha256: string): Caller | undefined {
    const digest = Buffer.from(sha256, 'hex');
    let found: ApiTokenEntry | undefined;
    if (digest.length !== 32) return undefined;
    for (const { entry, digest: known } of this.entries) {
      if (timingSafeEqual(digest, known)) found = entry;
    }
    return found && { role: found.role, actor: found.name, kind: 'token' };
  }
}

export const apiTokensProvider = {
  provide: ApiTokens,
  useFactory: () => new ApiTokens(readApiTokens().values()),
};

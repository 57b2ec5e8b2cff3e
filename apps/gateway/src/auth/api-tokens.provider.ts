import { timingSafeEqual } from 'node:crypto';
import { type ApiTokenEntry, hashApiToken, readApiTokens } from '@prov/config';
import type { Caller } from './caller';

/**
 * The machines' tokens from API_TOKENS, known by their SHA-256 only: a copy of the configuration
 * lets nobody call the API. The token's name is the actor of what it does.
 */
export class ApiTokens {
  private readonly entries: ApiTokenEntry[];

  constructor(entries: Iterable<ApiTokenEntry>) {
    this.entries = [...entries];
  }

  /** The caller a presented token stands for, or undefined; compares every entry in constant time. */
  callerOf(presented: string): Caller | undefined {
    return this.callerOfDigest(hashApiToken(presented));
  }

  /** The same by the token's SHA-256 (hex), when the request's digest is known already. */
  callerOfDigest(sha256: string): Caller | undefined {
    const digest = Buffer.from(sha256, 'hex');
    let found: ApiTokenEntry | undefined;
    for (const entry of this.entries) {
      if (timingSafeEqual(digest, Buffer.from(entry.sha256, 'hex'))) found = entry;
    }
    return found && { role: found.role, actor: found.name, kind: 'token' };
  }
}

export const apiTokensProvider = {
  provide: ApiTokens,
  useFactory: () => new ApiTokens(readApiTokens().values()),
};

import { createHash } from 'node:crypto';
import { type ApiRole, parseApiTokens } from '@prov/config';
import { API_TOKENS } from './api-token.guard';

/**
 * Tokens from API_TOKENS. The actor recorded on events is the role with a fingerprint of the
 * token (never the token), so the audit trail tells callers apart without exposing secrets.
 */
export const apiTokensProvider = {
  provide: API_TOKENS,
  useFactory: () => {
    const tokens = parseApiTokens(process.env.API_TOKENS);
    const entries = new Map<string, { role: ApiRole; actor: string }>();
    for (const [token, role] of tokens) {
      const fingerprint = createHash('sha256').update(token).digest('hex').slice(0, 8);
      entries.set(token, { role, actor: `${role}-${fingerprint}` });
    }
    return entries;
  },
};

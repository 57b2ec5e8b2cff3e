import { isAbsolute } from 'node:path';
import { ConfigurationError } from './environment';

/**
 * Where the agent hands generated passwords to people (ADR 0011): one file per account, readable
 * by the agent's user only, for the organisation's delivery (mail, SMS, a vault) to pick up and
 * delete. Absent: generated passwords are handed to nobody and the person resets theirs.
 */
export interface PasswordDeliverySettings {
  directory?: string;
}

export function readPasswordDelivery(env: NodeJS.ProcessEnv = process.env): PasswordDeliverySettings {
  const directory = env.PASSWORD_DELIVERY_DIR || undefined;
  if (directory !== undefined && !isAbsolute(directory)) {
    throw new ConfigurationError([
      'PASSWORD_DELIVERY_DIR must be an absolute path (a directory only the agent may read)',
    ]);
  }
  return { directory };
}

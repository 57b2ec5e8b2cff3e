import { ConfigurationError } from './environment';

/** How the agent reads managed systems back for synchronization. */
export interface ReadBackSettings {
  /** Every n-th synchronization of a change-tracking directory (AD) is a full read; the others are incremental. */
  fullReadEvery: number;
}

export function readReadBackSettings(env: NodeJS.ProcessEnv = process.env): ReadBackSettings {
  const text = env.AGENT_FULL_READ_EVERY ?? '20';
  const fullReadEvery = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(fullReadEvery) || fullReadEvery < 1) {
    throw new ConfigurationError([
      `AGENT_FULL_READ_EVERY must be a whole number of 1 or more (1: every read is full), got '${text}'`,
    ]);
  }
  return { fullReadEvery };
}

import { ConfigurationError } from './environment';

/** How the agent reads managed systems back for synchronization. */
export interface ReadBackSettings {
  /** Every n-th synchronization of a change-tracking directory (AD) is a full read; the others are incremental. */
  fullReadEvery: number;
  /** AGENT_READ_BACK_PAGE_BYTES: JSON bytes per page of a read-back sent to `orders` (ADR 0025). */
  pageBytes: number;
}

export function readReadBackSettings(env: NodeJS.ProcessEnv = process.env): ReadBackSettings {
  const text = env.AGENT_FULL_READ_EVERY ?? '20';
  const fullReadEvery = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(fullReadEvery) || fullReadEvery < 1) {
    throw new ConfigurationError([
      `AGENT_FULL_READ_EVERY must be a whole number of 1 or more (1: every read is full), got '${text}'`,
    ]);
  }
  const pageText = env.AGENT_READ_BACK_PAGE_BYTES ?? '262144';
  const pageBytes = Number(pageText);
  if (!/^\d+$/.test(pageText.trim()) || pageBytes < 16_384 || pageBytes > 900_000) {
    throw new ConfigurationError([
      `AGENT_READ_BACK_PAGE_BYTES must be an integer from 16384 to 900000 (bytes), got '${pageText}'`,
    ]);
  }
  return { fullReadEvery, pageBytes };
}

import { ConfigurationError } from './environment';

/** Settings of the identity lifecycle (requests service). */
export interface LifecycleSettings {
  /** How often scheduled deactivations (a leaver at a future date) are checked. */
  deactivationCheckMs: number;
}

export function readLifecycleSettings(env: NodeJS.ProcessEnv = process.env): LifecycleSettings {
  const raw = env.DEACTIVATION_CHECK_MS;
  const deactivationCheckMs = raw === undefined || raw === '' ? 5000 : Number(raw);
  if (!Number.isInteger(deactivationCheckMs) || deactivationCheckMs < 100) {
    throw new ConfigurationError([
      `DEACTIVATION_CHECK_MS must be a whole number of milliseconds, at least 100`,
    ]);
  }
  return { deactivationCheckMs };
}

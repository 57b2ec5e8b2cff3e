import { ProvisioningState } from '@prov/domain';
import { parseDuration } from '@prov/role-model';
import { ConfigurationError } from './environment';

/**
 * Service levels of the open order states: an order still in the state after this long is
 * "stuck" and listed by GET /api/orders/stuck. ISO-8601 durations (PT1H, P2D), read once at start.
 */
export interface StuckOrderSettings {
  /** Milliseconds per provisioning state code (1 Pending, 2 Transmitted, 3 Errored, 5 AwaitingApproval, 7 Error, 8 Executed). */
  afterMs: Readonly<Record<number, number>>;
}

/** The variable, its state code and its default (documented in docs/operations.md). */
export const STUCK_ORDER_DEFAULTS = [
  { variable: 'STUCK_AFTER_PENDING', stateCode: ProvisioningState.Pending, duration: 'PT1H' },
  { variable: 'STUCK_AFTER_TRANSMITTED', stateCode: ProvisioningState.Transmitted, duration: 'P3D' },
  { variable: 'STUCK_AFTER_ERRORED', stateCode: ProvisioningState.Errored, duration: 'PT4H' },
  {
    variable: 'STUCK_AFTER_AWAITING_APPROVAL',
    stateCode: ProvisioningState.AwaitingApproval,
    duration: 'P2D',
  },
  { variable: 'STUCK_AFTER_ERROR', stateCode: ProvisioningState.Error, duration: 'PT4H' },
  { variable: 'STUCK_AFTER_EXECUTED', stateCode: ProvisioningState.Executed, duration: 'P1D' },
] as const;

export function readStuckOrderSettings(env: NodeJS.ProcessEnv = process.env): StuckOrderSettings {
  const problems: string[] = [];
  const afterMs: Record<number, number> = {};
  for (const { variable, stateCode, duration } of STUCK_ORDER_DEFAULTS) {
    const raw = env[variable]?.trim() || duration;
    const parsed = parseDuration(raw);
    if (parsed.ok) afterMs[stateCode] = parsed.ms;
    else problems.push(`${variable} ${parsed.rule}`);
  }
  if (problems.length) throw new ConfigurationError(problems);
  return { afterMs };
}

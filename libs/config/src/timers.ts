import { Cron } from 'croner';
import { parseDuration } from '@prov/role-model';
import { ConfigurationError } from './environment';
import { ORDERS_DUPLICATE_WINDOW_MS } from './streams';

/**
 * The orders service's clocks: how often its timers look for due work, when a lost dispatch is
 * sent again, when the complete job runs and how long it waits for agents. Read once at start;
 * a bad value stops the start with the variable's name and the rule.
 */
export interface TimerSettings {
  /** TIMER_INTERVAL_MS: how often due timers are looked for. */
  intervalMs: number;
  /** DISPATCH_TIMEOUT_MS: a Pending automatic order with no report after this long is published again. */
  dispatchTimeoutMs: number;
  /** COMPLETE_JOB_SCHEDULE: cron expression (UTC) of the complete job, undefined when unset. */
  completeJobSchedule?: string;
  /** COMPLETE_JOB_FULFIL_TIMEOUT_MS: how long the job's fulfil task waits for dispatched orders to report. */
  fulfilTimeoutMs: number;
  /** COMPLETE_JOB_CHAIN_CHECK_EVERY: the job verifies the hash chains when the last check is older. */
  chainCheckEveryMs: number;
}

/** JetStream's duplicate window: a repeat published within it would be dropped as a duplicate. */
const DUPLICATE_WINDOW_MS = ORDERS_DUPLICATE_WINDOW_MS;

function positiveInteger(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  problems: string[],
  min = 1,
): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    problems.push(`${name} must be an integer of at least ${min} (milliseconds), got '${raw}'`);
    return fallback;
  }
  return value;
}

/**
 * A cron expression as croner reads it (five fields, or six with seconds), in UTC. The schedule
 * itself is kept by croner, which wakes at most every 30 s, so a monthly schedule neither
 * overflows a timer nor fires early.
 */
export function completeJobScheduleFrom(value: string | undefined): string | undefined {
  if (!value?.trim()) return undefined;
  const expression = value.trim();
  try {
    new Cron(expression, { timezone: 'UTC', paused: true }).stop();
  } catch (error) {
    throw new ConfigurationError([
      `COMPLETE_JOB_SCHEDULE must be a cron expression like '0 2 * * *' (minute hour day-of-month month day-of-week, UTC): ${(error as Error).message}`,
    ]);
  }
  return expression;
}

/** The next run of a schedule after `after` (for logs, the console and tests). */
export function nextCompleteJobRun(expression: string, after: Date): Date | null {
  const cron = new Cron(expression, { timezone: 'UTC', paused: true });
  try {
    return cron.nextRun(after);
  } finally {
    cron.stop();
  }
}

export function readTimerSettings(env: NodeJS.ProcessEnv = process.env): TimerSettings {
  const problems: string[] = [];
  const intervalMs = positiveInteger(env, 'TIMER_INTERVAL_MS', 5_000, problems, 10);
  const dispatchTimeoutMs = positiveInteger(
    env,
    'DISPATCH_TIMEOUT_MS',
    300_000,
    problems,
    DUPLICATE_WINDOW_MS + 1,
  );
  const fulfilTimeoutMs = positiveInteger(env, 'COMPLETE_JOB_FULFIL_TIMEOUT_MS', 120_000, problems);
  let completeJobSchedule: string | undefined;
  try {
    completeJobSchedule = completeJobScheduleFrom(env.COMPLETE_JOB_SCHEDULE);
  } catch (error) {
    problems.push(...(error as ConfigurationError).problems);
  }
  const chainCheck = parseDuration(env.COMPLETE_JOB_CHAIN_CHECK_EVERY?.trim() || 'PT20H');
  if (!chainCheck.ok) problems.push(`COMPLETE_JOB_CHAIN_CHECK_EVERY ${chainCheck.rule}`);
  if (problems.length) throw new ConfigurationError(problems);
  const chainCheckEveryMs = chainCheck.ok ? chainCheck.ms : 0;
  return { intervalMs, dispatchTimeoutMs, completeJobSchedule, fulfilTimeoutMs, chainCheckEveryMs };
}

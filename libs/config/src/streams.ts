import { ConfigurationError } from './environment';

/**
 * JetStream's duplicate window for the order streams. The re-dispatch of a Pending order
 * (DISPATCH_TIMEOUT_MS, at least this plus one) never publishes the same attempt twice within
 * it, so a repeat is either dropped as a duplicate or the first copy has long been consumed.
 */
export const ORDERS_DUPLICATE_WINDOW_MS = 120_000;

/** How the order streams are created (ADR 0022): copies and bounds. */
export interface OrdersStreamSettings {
  /** ORDERS_STREAM_REPLICAS: copies of PROV_ORDERS and PROV_ORDERS_DLQ (1 on one server, 3 in a cluster). */
  replicas: 1 | 3 | 5;
  /** ORDERS_STREAM_MAX_MSGS: orders waiting at most; beyond it a dispatch fails and is retried later. */
  maxMessages: number;
  /** ORDERS_STREAM_MAX_BYTES: bytes of waiting orders at most (same rule). */
  maxBytes: number;
  /** ORDERS_DLQ_MAX_MSGS: dead letters kept at most (the oldest go first; they also expire after 30 days). */
  deadLetterMaxMessages: number;
  duplicateWindowMs: number;
}

function count(env: NodeJS.ProcessEnv, name: string, fallback: number, problems: string[]): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) {
    problems.push(`${name} must be a whole number of 1 or more, got '${raw}'`);
    return fallback;
  }
  return value;
}

export function readOrdersStreamSettings(env: NodeJS.ProcessEnv = process.env): OrdersStreamSettings {
  const problems: string[] = [];
  const replicas = count(env, 'ORDERS_STREAM_REPLICAS', 1, problems);
  if (![1, 3, 5].includes(replicas)) {
    problems.push(
      `ORDERS_STREAM_REPLICAS must be 1, 3 or 5 (an odd number a JetStream cluster can hold a quorum of), got '${env.ORDERS_STREAM_REPLICAS}'`,
    );
  }
  const settings = {
    replicas: replicas as 1 | 3 | 5,
    maxMessages: count(env, 'ORDERS_STREAM_MAX_MSGS', 1_000_000, problems),
    maxBytes: count(env, 'ORDERS_STREAM_MAX_BYTES', 1024 ** 3, problems),
    deadLetterMaxMessages: count(env, 'ORDERS_DLQ_MAX_MSGS', 100_000, problems),
    duplicateWindowMs: ORDERS_DUPLICATE_WINDOW_MS,
  };
  if (problems.length) throw new ConfigurationError(problems);
  return settings;
}

import type { VariableSpec } from './variable';

const MS = 'milliseconds';

/** What `orders` reads: its timers, the complete job, the order streams and their dead letters. */
export const ORDERS_VARIABLES: readonly VariableSpec[] = [
  {
    name: 'TIMER_INTERVAL_MS',
    type: 'integer',
    min: 10,
    max: 86_400_000,
    unit: MS,
    services: ['orders'],
    default: '5000',
    doc: 'how often `orders` checks start and end dates, validity periods, retries and lost dispatches',
  },
  {
    name: 'DISPATCH_TIMEOUT_MS',
    type: 'integer',
    min: 120_001,
    max: 604_800_000,
    unit: MS,
    services: ['orders'],
    default: '300000',
    doc: "a Pending automatic order with no report after this long is published again (beyond JetStream's 2-minute duplicate window)",
  },
  {
    name: 'COMPLETE_JOB_SCHEDULE',
    type: 'string',
    services: ['orders'],
    doc: 'cron expression (UTC, five fields or six with seconds) of the complete job, e.g. `0 2 * * *`',
  },
  {
    name: 'COMPLETE_JOB_CHAIN_CHECK_EVERY',
    type: 'string',
    pattern: /^P/,
    rule: 'an ISO-8601 duration',
    services: ['orders'],
    default: 'PT20H',
    doc: "the complete job's verify task checks every stream's hash chain when the last check is older than this (a daily job checks every run)",
  },
  {
    name: 'COMPLETE_JOB_FULFIL_TIMEOUT_MS',
    type: 'integer',
    min: 1,
    max: 86_400_000,
    unit: MS,
    services: ['orders'],
    default: '120000',
    doc: "how long the complete job's fulfil task waits, each time, for the read models to show the evaluation's orders, and then for the automatic orders generated before its scan to report",
  },
  {
    name: 'ORDERS_STREAM_REPLICAS',
    type: 'enum',
    values: ['1', '3', '5'],
    services: ['orders'],
    default: '1',
    doc: 'copies of `PROV_ORDERS` and `PROV_ORDERS_DLQ` (3 on the cluster of `deploy/nats/cluster/`)',
  },
  {
    name: 'ORDERS_STREAM_MAX_MSGS',
    type: 'integer',
    min: 1,
    max: Number.MAX_SAFE_INTEGER,
    unit: 'orders',
    services: ['orders'],
    default: '1000000',
    doc: 'orders waiting in `PROV_ORDERS` at most; when full a dispatch is refused and the order stays Pending',
  },
  {
    name: 'ORDERS_STREAM_MAX_BYTES',
    type: 'integer',
    min: 1,
    max: Number.MAX_SAFE_INTEGER,
    unit: 'bytes',
    services: ['orders'],
    default: '1073741824',
    doc: 'bytes of waiting orders at most (same rule)',
  },
  {
    name: 'ORDERS_DLQ_MAX_MSGS',
    type: 'integer',
    min: 1,
    max: Number.MAX_SAFE_INTEGER,
    unit: 'messages',
    services: ['orders'],
    default: '100000',
    doc: 'dead letters kept at most (the oldest go first)',
  },
];

/** What `requests` reads: its check for scheduled deactivations. */
export const REQUESTS_VARIABLES: readonly VariableSpec[] = [
  {
    name: 'DEACTIVATION_CHECK_MS',
    type: 'integer',
    min: 100,
    max: 86_400_000,
    unit: MS,
    services: ['requests'],
    default: '5000',
    doc: 'how often `requests` deactivates identities whose scheduled deactivation has come',
  },
];

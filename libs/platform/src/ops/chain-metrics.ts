import { Gauge } from 'prom-client';
import { metricsRegistry } from './metrics';

/**
 * The outcome of the last hash-chain verification this process ran (the complete job's): an
 * alert on `prov_audit_chain_intact == 0`, or on the timestamp growing old, needs no log search.
 */
export const chainIntact = new Gauge({
  name: 'prov_audit_chain_intact',
  help: 'Outcome of the last hash-chain verification: 1 every chain matched, 0 an event did not',
  registers: [metricsRegistry],
});

export const chainEventsChecked = new Gauge({
  name: 'prov_audit_chain_events_checked',
  help: 'Events the last hash-chain verification checked',
  registers: [metricsRegistry],
});

export const chainLastVerification = new Gauge({
  name: 'prov_audit_chain_last_verification_timestamp_seconds',
  help: 'When the last hash-chain verification ended (Unix time)',
  registers: [metricsRegistry],
});
